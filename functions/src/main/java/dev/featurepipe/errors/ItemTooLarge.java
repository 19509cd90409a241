package dev.featurepipe.errors;

/**
 * A feature item would exceed DynamoDB's 400 KB item limit. Terminal: the same Silver row builds the
 * same item on every retry, and truncating it would serve features that were never computed. The
 * fix is in the group's definition (a smaller top-k, shorter strings, a shorter vector) under a new
 * version.
 */
public final class ItemTooLarge extends PipelineException {

  private static final long serialVersionUID = 1L;

  public ItemTooLarge(String message) {
    super(message);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
