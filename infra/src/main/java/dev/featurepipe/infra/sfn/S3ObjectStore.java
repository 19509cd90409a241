package dev.featurepipe.infra.sfn;

import java.util.Objects;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** {@link ObjectStore} over an SDK v2 {@link S3Client} (AWS or the embedded S3-compatible server). */
public final class S3ObjectStore implements ObjectStore {

  private final S3Client s3;

  public S3ObjectStore(S3Client s3) {
    this.s3 = Objects.requireNonNull(s3, "s3");
  }

  @Override
  public byte[] get(String bucket, String key) throws NoSuchObjectException {
    try {
      return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw new NoSuchObjectException(bucket, key);
    }
  }

  @Override
  public void put(String bucket, String key, byte[] bytes, String contentType) {
    s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
  }
}
