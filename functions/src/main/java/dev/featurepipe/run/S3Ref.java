package dev.featurepipe.run;

import java.util.Objects;

/** Where a manifest lives; what Step Functions passes instead of data. */
public record S3Ref(String bucket, String key) {
  public S3Ref {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
  }
}
