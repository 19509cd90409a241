package dev.featurepipe.errors;

/** Configuration (config/pipeline.yaml or the function's environment) violates a rule; the message lists every violation, one per line. */
public final class ConfigInvalid extends PipelineException {

  private static final long serialVersionUID = 1L;

  public ConfigInvalid(String message) {
    super(message);
  }

  public ConfigInvalid(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
