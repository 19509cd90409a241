package dev.featurepipe.infra.sfn;

/** The object (or its bucket) does not exist. */
public final class NoSuchObjectException extends Exception {

  private static final long serialVersionUID = 1L;

  public NoSuchObjectException(String bucket, String key) {
    super("no object s3://" + bucket + "/" + key);
  }
}
