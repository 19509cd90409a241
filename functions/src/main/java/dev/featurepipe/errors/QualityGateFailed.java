package dev.featurepipe.errors;

/** A quality rule with action fail was violated; nothing was published. */
public final class QualityGateFailed extends PipelineException {

  private static final long serialVersionUID = 1L;

  public QualityGateFailed(String message) {
    super(message);
  }

  public QualityGateFailed(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
