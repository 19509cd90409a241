package dev.featurepipe.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.ConfigInvalid;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AwsSettingsTest {

  private static final Map<String, String> LAMBDA =
      Map.of(
          "AWS_REGION", "eu-central-1",
          // The Lambda runtime sets these as well; on AWS they must not become static credentials.
          "AWS_ACCESS_KEY_ID", "ASIAEXAMPLE",
          "AWS_SECRET_ACCESS_KEY", "lambda-secret",
          "AWS_SESSION_TOKEN", "token",
          "FEATUREPIPE_WAREHOUSE", "s3://prod-lake/silver");

  private static final Map<String, String> LOCAL =
      Map.of(
          "AWS_ACCESS_KEY_ID", "featurepipe",
          "AWS_SECRET_ACCESS_KEY", "featurepipe-local",
          "FEATUREPIPE_S3_ENDPOINT", "http://127.0.0.1:4566",
          "FEATUREPIPE_DYNAMODB_ENDPOINT", "http://127.0.0.1:8000",
          "FEATUREPIPE_CATALOG_TYPE", "jdbc",
          "FEATUREPIPE_CATALOG_URI", "jdbc:sqlite:/tmp/fp/catalog.db",
          "FEATUREPIPE_WAREHOUSE", "s3://featurepipe-lake/silver");

  @Test
  void lambdaEnvironmentUsesGlueAndTheDefaultCredentialsChain() {
    AwsSettings settings = AwsSettings.fromEnvironment(LAMBDA);

    assertThat(settings)
        .isEqualTo(
            new AwsSettings(
                "eu-central-1",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                new CatalogSettings(
                    "glue", Optional.empty(), "featurepipe", "s3://prod-lake/silver")));
    assertThat(settings.hasEndpointOverride()).isFalse();
  }

  @Test
  void localEnvironmentUsesEndpointsStaticCredentialsAndJdbc() {
    AwsSettings settings = AwsSettings.fromEnvironment(LOCAL);

    assertThat(settings)
        .isEqualTo(
            new AwsSettings(
                "us-east-1",
                Optional.of(URI.create("http://127.0.0.1:4566")),
                Optional.of(URI.create("http://127.0.0.1:8000")),
                Optional.of(new StaticCredentials("featurepipe", "featurepipe-local")),
                new CatalogSettings(
                    "jdbc",
                    Optional.of("jdbc:sqlite:/tmp/fp/catalog.db"),
                    "featurepipe",
                    "s3://featurepipe-lake/silver")));
  }

  @Test
  void toEnvironmentReadsBackIntoEqualSettings() {
    for (Map<String, String> env : List.of(LAMBDA, LOCAL)) {
      AwsSettings settings = AwsSettings.fromEnvironment(env);

      assertThat(AwsSettings.fromEnvironment(settings.toEnvironment())).isEqualTo(settings);
    }
  }

  @Test
  void toEnvironmentIsSortedByName() {
    assertThat(List.copyOf(AwsSettings.fromEnvironment(LOCAL).toEnvironment().keySet()))
        .containsExactly(
            "AWS_ACCESS_KEY_ID",
            "AWS_REGION",
            "AWS_SECRET_ACCESS_KEY",
            "FEATUREPIPE_CATALOG_DATABASE",
            "FEATUREPIPE_CATALOG_TYPE",
            "FEATUREPIPE_CATALOG_URI",
            "FEATUREPIPE_DYNAMODB_ENDPOINT",
            "FEATUREPIPE_S3_ENDPOINT",
            "FEATUREPIPE_WAREHOUSE");
  }

  @Test
  void emptyValuesCountAsUnset() {
    Map<String, String> env = new TreeMap<>(LAMBDA);
    env.put("FEATUREPIPE_S3_ENDPOINT", "");
    env.put("FEATUREPIPE_CATALOG_TYPE", " ");
    env.put("AWS_REGION", "");

    AwsSettings settings = AwsSettings.fromEnvironment(env);

    assertThat(settings.s3Endpoint()).isEmpty();
    assertThat(settings.catalog().type()).isEqualTo("glue");
    assertThat(settings.region()).isEqualTo("us-east-1");
  }

  @Test
  void everyProblemIsReportedInOneErrorOneLineEach() {
    Map<String, String> env =
        Map.of(
            "AWS_REGION", "Frankfurt",
            "FEATUREPIPE_S3_ENDPOINT", "127.0.0.1:4566",
            "FEATUREPIPE_DYNAMODB_ENDPOINT", "http://127.0.0.1:8000/dynamo",
            "AWS_ACCESS_KEY_ID", "featurepipe",
            "FEATUREPIPE_CATALOG_TYPE", "hive",
            "FEATUREPIPE_CATALOG_DATABASE", "Feature-Pipe");

    assertThatThrownBy(() -> AwsSettings.fromEnvironment(env))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage(
            """
            AWS settings from the environment are invalid:
            AWS_REGION: must be an AWS region name like us-east-1, got Frankfurt
            FEATUREPIPE_S3_ENDPOINT: must be an http:// or https:// URL with a host, an optional\
             port and no path, like http://127.0.0.1:4566, got 127.0.0.1:4566
            FEATUREPIPE_DYNAMODB_ENDPOINT: must be an http:// or https:// URL with a host, an\
             optional port and no path, like http://127.0.0.1:4566, got\
             http://127.0.0.1:8000/dynamo
            FEATUREPIPE_CATALOG_TYPE: must be one of glue, jdbc, got hive
            FEATUREPIPE_CATALOG_DATABASE: must be 1 to 252 lowercase letters, digits or\
             underscores (a Glue database name), got Feature-Pipe
            FEATUREPIPE_WAREHOUSE: is required, like s3://featurepipe-lake/silver""");
  }

  @Test
  void jdbcCatalogNeedsAUriAndGlueRefusesOne() {
    Map<String, String> jdbcWithoutUri =
        Map.of("FEATUREPIPE_CATALOG_TYPE", "jdbc", "FEATUREPIPE_WAREHOUSE", "s3://lake/silver");
    Map<String, String> glueWithUri =
        Map.of(
            "FEATUREPIPE_CATALOG_URI", "jdbc:sqlite:x.db", "FEATUREPIPE_WAREHOUSE", "s3://lake");

    assertThatThrownBy(() -> AwsSettings.fromEnvironment(jdbcWithoutUri))
        .hasMessage(
            "AWS settings from the environment are invalid:\n"
                + "FEATUREPIPE_CATALOG_URI: is required when the catalog type is jdbc");
    assertThatThrownBy(() -> AwsSettings.fromEnvironment(glueWithUri))
        .hasMessage(
            "AWS settings from the environment are invalid:\n"
                + "FEATUREPIPE_CATALOG_URI: must not be set when the catalog type is glue, got"
                + " jdbc:sqlite:x.db");
  }

  @Test
  void halfAnAccessKeyPairIsAnErrorWithAnEndpointOverride() {
    Map<String, String> env =
        Map.of(
            "FEATUREPIPE_S3_ENDPOINT", "http://127.0.0.1:4566",
            "AWS_SECRET_ACCESS_KEY", "featurepipe-local",
            "FEATUREPIPE_WAREHOUSE", "s3://featurepipe-lake/silver");

    assertThatThrownBy(() -> AwsSettings.fromEnvironment(env))
        .hasMessage(
            "AWS settings from the environment are invalid:\n"
                + "AWS_ACCESS_KEY_ID: is required when AWS_SECRET_ACCESS_KEY is set");
  }

  @Test
  void warehouseMustBeAnS3UriWithoutTrailingSlash() {
    Map<String, String> env = Map.of("FEATUREPIPE_WAREHOUSE", "s3://featurepipe-lake/silver/");

    assertThatThrownBy(() -> AwsSettings.fromEnvironment(env))
        .hasMessage(
            "AWS settings from the environment are invalid:\n"
                + "FEATUREPIPE_WAREHOUSE: must be s3://<bucket>[/<prefix>] without a trailing"
                + " slash, like s3://featurepipe-lake/silver, got s3://featurepipe-lake/silver/");
  }

  @Test
  void staticCredentialsWithoutAnEndpointOverrideAreRejected() {
    CatalogSettings catalog =
        new CatalogSettings("glue", Optional.empty(), "featurepipe", "s3://lake/silver");

    assertThatThrownBy(
            () ->
                new AwsSettings(
                    "us-east-1",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(new StaticCredentials("a", "b")),
                    catalog))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "staticCredentials: only allowed with an endpoint override; on AWS the default"
                + " credentials provider chain supplies credentials");
  }

  @Test
  void staticCredentialsNeverPrintTheSecret() {
    AwsSettings settings = AwsSettings.fromEnvironment(LOCAL);

    assertThat(settings.toString())
        .contains("accessKeyId=featurepipe")
        .doesNotContain("featurepipe-local");
  }

  @Test
  void warehouseBucketIsTheFirstSegment() {
    assertThat(
            new CatalogSettings("glue", Optional.empty(), "db", "s3://my-lake/silver/x")
                .warehouseBucket())
        .isEqualTo("my-lake");
    assertThat(new CatalogSettings("glue", Optional.empty(), "db", "s3://my-lake").warehouseBucket())
        .isEqualTo("my-lake");
  }
}
