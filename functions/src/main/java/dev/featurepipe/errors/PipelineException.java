package dev.featurepipe.errors;

/**
 * Every failure the pipeline reports on purpose. The Lambda runtime names an error by the thrown
 * class's fully qualified name, and the state machines' {@code Retry}/{@code Catch} blocks match
 * those names, so each subclass is one stable failure meaning. {@link #retryable()} tells the
 * workflow whether trying the same step again can succeed.
 */
public abstract sealed class PipelineException extends RuntimeException
    permits SourceUnavailable, SourceObjectMissing, SourceObjectCorrupt, InvalidInput, ConfigInvalid, CommitConflict,
        SchemaIncompatible, QualityGateFailed, ThrottledWrite, ItemTooLarge {

  private static final long serialVersionUID = 1L;

  protected PipelineException(String message) {
    super(message);
  }

  protected PipelineException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True when retrying the same step with the same input may succeed. */
  public abstract boolean retryable();
}
