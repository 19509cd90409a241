package dev.featurepipe.errors;

/** An event or request to a step is malformed (missing field, bad date, unknown group). Terminal: the same input fails the same way. */
public final class InvalidInput extends PipelineException {

  private static final long serialVersionUID = 1L;

  public InvalidInput(String message) {
    super(message);
  }

  public InvalidInput(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
