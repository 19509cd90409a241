package dev.featurepipe.errors;

/** A source object exists but cannot be decoded (truncated gzip, not gzip or text). Terminal. */
public final class SourceObjectCorrupt extends PipelineException {

  private static final long serialVersionUID = 1L;

  public SourceObjectCorrupt(String message) {
    super(message);
  }

  public SourceObjectCorrupt(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
