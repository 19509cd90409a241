package dev.featurepipe.errors;

/** A source could not be reached (connection refused, 5xx after retries, auth failure). Retried with backoff by the workflow; if it stays down, the groups that need it are skipped. */
public final class SourceUnavailable extends PipelineException {

  private static final long serialVersionUID = 1L;

  public SourceUnavailable(String message) {
    super(message);
  }

  public SourceUnavailable(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
