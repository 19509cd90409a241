package dev.featurepipe.config;

import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.aws.AwsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.iceberg.catalog.Catalog;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Everything a step needs besides its input: the validated config, resource names and clients.
 * Built once per Lambda container from the environment, or by the local stack with local clients.
 */
public record PipelineContext(
    LoadedConfig config,
    LakeNames names,
    S3Client s3,
    DynamoDbClient dynamoDb,
    Supplier<Catalog> catalog,
    String catalogDatabase,
    String codeVersion) {

  public PipelineContext {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(s3, "s3");
    Objects.requireNonNull(dynamoDb, "dynamoDb");
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(catalogDatabase, "catalogDatabase");
    Objects.requireNonNull(codeVersion, "codeVersion");
  }

  /** For the Lambda runtime: environment variables and the bundled config. */
  public static PipelineContext fromEnvironment() {
    AwsClients clients = new AwsClients(AwsSettings.fromEnvironment(System.getenv()));
    return from(clients, LakeNames.fromEnvironment(System.getenv()), ConfigLoader.loadBundled());
  }

  public static PipelineContext from(AwsClients clients, LakeNames names, LoadedConfig config) {
    return new PipelineContext(
        config,
        names,
        clients.s3(),
        clients.dynamoDb(),
        clients::catalog,
        clients.settings().catalog().database(),
        codeVersionOfBuild());
  }

  /** The Maven project version baked into the jar at build time. */
  public static String codeVersionOfBuild() {
    try (InputStream in =
        PipelineContext.class.getClassLoader().getResourceAsStream("featurepipe/build.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
