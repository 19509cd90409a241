package dev.featurepipe.online;

/**
 * A read from the feature store that cannot be answered: the group has no published meta, an item
 * does not match its meta, or DynamoDB kept throttling past the read's deadline. For model-serving
 * callers, not the workflow, hence not a {@code PipelineException}.
 */
public final class FeatureStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public FeatureStoreException(String message) {
    super(message);
  }
}
