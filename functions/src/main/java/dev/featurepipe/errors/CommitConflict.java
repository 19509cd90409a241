package dev.featurepipe.errors;

/** Another writer committed the same Iceberg table concurrently. Retrying re-reads the table and commits again. */
public final class CommitConflict extends PipelineException {

  private static final long serialVersionUID = 1L;

  public CommitConflict(String message) {
    super(message);
  }

  public CommitConflict(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
