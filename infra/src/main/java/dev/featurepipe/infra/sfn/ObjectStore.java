package dev.featurepipe.infra.sfn;

/**
 * The storage the runner reads Distributed Map items from ({@code ItemReader}), writes Map Run
 * results to ({@code ResultWriter}) and keeps execution histories in. {@link S3ObjectStore} is the
 * real one.
 */
public interface ObjectStore {

  /** The object's bytes. */
  byte[] get(String bucket, String key) throws NoSuchObjectException;

  void put(String bucket, String key, byte[] bytes, String contentType);
}
