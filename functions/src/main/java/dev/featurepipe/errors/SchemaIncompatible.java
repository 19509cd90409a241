package dev.featurepipe.errors;

/** Observed data does not match the registered schema in a way a compatible evolution cannot absorb. */
public final class SchemaIncompatible extends PipelineException {

  private static final long serialVersionUID = 1L;

  public SchemaIncompatible(String message) {
    super(message);
  }

  public SchemaIncompatible(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
