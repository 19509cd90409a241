package dev.featurepipe.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.aws.internal.EndpointOverrideS3FileIOClientFactory;
import java.net.URI;
import java.util.Map;
import org.apache.iceberg.aws.glue.GlueCatalog;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;

/**
 * What AwsClients builds, checked without a network: the clients talk to the local stack in
 * infra's stack tests.
 */
class AwsClientsTest {

  private static final AwsSettings AWS =
      AwsSettings.fromEnvironment(
          Map.of("AWS_REGION", "eu-west-1", "FEATUREPIPE_WAREHOUSE", "s3://prod-lake/silver"));

  private static final AwsSettings LOCAL =
      AwsSettings.fromEnvironment(
          Map.of(
              "AWS_ACCESS_KEY_ID", "featurepipe",
              "AWS_SECRET_ACCESS_KEY", "featurepipe-local",
              "FEATUREPIPE_S3_ENDPOINT", "http://127.0.0.1:4566",
              "FEATUREPIPE_DYNAMODB_ENDPOINT", "http://127.0.0.1:8000",
              "FEATUREPIPE_CATALOG_TYPE", "jdbc",
              "FEATUREPIPE_CATALOG_URI", "jdbc:sqlite:/tmp/fp/catalog.db",
              "FEATUREPIPE_WAREHOUSE", "s3://featurepipe-lake/silver"));

  @Test
  void awsCatalogPropertiesUseUrlConnectionAndIcebergDefaultsOtherwise() {
    assertThat(AwsClients.catalogProperties(AWS))
        .containsExactly(
            Map.entry("client.region", "eu-west-1"),
            Map.entry("http-client.type", "urlconnection"),
            Map.entry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO"),
            Map.entry("warehouse", "s3://prod-lake/silver"));
  }

  @Test
  void localCatalogPropertiesPointS3FileIOAtTheEndpointWithOneSqliteConnection() {
    assertThat(AwsClients.catalogProperties(LOCAL))
        .containsExactly(
            Map.entry("client.region", "us-east-1"),
            Map.entry("clients", "1"),
            Map.entry("http-client.type", "urlconnection"),
            Map.entry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO"),
            Map.entry("jdbc.busy_timeout", "10000"),
            Map.entry("jdbc.journal_mode", "WAL"),
            Map.entry("jdbc.schema-version", "V1"),
            Map.entry(
                "s3.access-key-id", "featurepipe"),
            Map.entry("s3.client-factory-impl", EndpointOverrideS3FileIOClientFactory.class.getName()),
            Map.entry("s3.endpoint", "http://127.0.0.1:4566"),
            Map.entry("s3.path-style-access", "true"),
            Map.entry("s3.secret-access-key", "featurepipe-local"),
            Map.entry("uri", "jdbc:sqlite:/tmp/fp/catalog.db"),
            Map.entry("warehouse", "s3://featurepipe-lake/silver"));
  }

  @Test
  void localS3ClientUsesTheEndpointPathStyleAndChecksumsOnlyWhenRequired() {
    try (AwsClients clients = new AwsClients(LOCAL)) {
      var config = clients.s3().serviceClientConfiguration();

      assertThat(config.endpointOverride()).contains(URI.create("http://127.0.0.1:4566"));
      assertThat(config.region()).isEqualTo(Region.US_EAST_1);
      assertThat(config.requestChecksumCalculation())
          .isEqualTo(RequestChecksumCalculation.WHEN_REQUIRED);
      assertThat(config.responseChecksumValidation())
          .isEqualTo(ResponseChecksumValidation.WHEN_REQUIRED);
    }
  }

  @Test
  void awsS3ClientKeepsTheSdkDefaultChecksums() {
    try (AwsClients clients = new AwsClients(AWS)) {
      var config = clients.s3().serviceClientConfiguration();

      assertThat(config.endpointOverride()).isEmpty();
      assertThat(config.region()).isEqualTo(Region.EU_WEST_1);
      assertThat(config.requestChecksumCalculation())
          .isEqualTo(RequestChecksumCalculation.WHEN_SUPPORTED);
    }
  }

  @Test
  void icebergS3FileIOClientFactoryAppliesTheSameChecksumPolicy() {
    EndpointOverrideS3FileIOClientFactory factory = new EndpointOverrideS3FileIOClientFactory();
    factory.initialize(AwsClients.catalogProperties(LOCAL));

    try (var s3 = factory.s3()) {
      var config = s3.serviceClientConfiguration();
      assertThat(config.endpointOverride()).contains(URI.create("http://127.0.0.1:4566"));
      assertThat(config.requestChecksumCalculation())
          .isEqualTo(RequestChecksumCalculation.WHEN_REQUIRED);
      assertThat(config.responseChecksumValidation())
          .isEqualTo(ResponseChecksumValidation.WHEN_REQUIRED);
    }
  }

  @Test
  void glueCatalogIsBuiltOnFirstUseWithoutCallingAws() {
    try (AwsClients clients = new AwsClients(AWS)) {
      assertThat(clients.catalog()).isInstanceOf(GlueCatalog.class);
      assertThat(clients.catalog().name()).isEqualTo("featurepipe");
      assertThat(clients.catalog()).isSameAs(clients.catalog());
    }
  }

  @Test
  void dynamoDbClientUsesTheEndpointOverride() {
    try (AwsClients clients = new AwsClients(LOCAL)) {
      assertThat(clients.dynamoDb().serviceClientConfiguration().endpointOverride())
          .contains(URI.create("http://127.0.0.1:8000"));
      assertThat(clients.dynamoDbEnhanced()).isSameAs(clients.dynamoDbEnhanced());
    }
  }

  @Test
  void closedClientsRefuseToHandOutClients() {
    AwsClients clients = new AwsClients(LOCAL);
    clients.s3();
    clients.close();
    clients.close();

    assertThatThrownBy(clients::s3)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("AwsClients is closed");
  }
}
