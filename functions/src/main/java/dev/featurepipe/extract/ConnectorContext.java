package dev.featurepipe.extract;

import dev.featurepipe.aws.SecretResolver;
import java.util.Objects;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What connectors may use besides their own options: the S3 client, the source bucket, the lake
 * bucket (for work files under {@code runs/}, e.g. spooled API pages: the source bucket may be
 * someone else's and read-only), checkpoints and secrets.
 */
public record ConnectorContext(S3Client s3, String sourceBucket, String lakeBucket, CheckpointStore checkpoints,
    SecretResolver secrets) {

  public ConnectorContext {
    Objects.requireNonNull(s3, "s3");
    Objects.requireNonNull(lakeBucket, "lakeBucket");
    Objects.requireNonNull(checkpoints, "checkpoints");
    Objects.requireNonNull(secrets, "secrets");
  }
}
