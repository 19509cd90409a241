package dev.featurepipe.errors;

/** DynamoDB kept throttling or returning unprocessed items past the step's deadline. */
public final class ThrottledWrite extends PipelineException {

  private static final long serialVersionUID = 1L;

  public ThrottledWrite(String message) {
    super(message);
  }

  public ThrottledWrite(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
