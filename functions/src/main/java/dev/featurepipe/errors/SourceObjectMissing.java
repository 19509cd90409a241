package dev.featurepipe.errors;

/** A source object the plan listed does not exist or cannot be read. Terminal: the plan and the source disagree. */
public final class SourceObjectMissing extends PipelineException {

  private static final long serialVersionUID = 1L;

  public SourceObjectMissing(String message) {
    super(message);
  }

  public SourceObjectMissing(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
