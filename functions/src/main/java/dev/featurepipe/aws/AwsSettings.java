package dev.featurepipe.aws;

import dev.featurepipe.errors.ConfigInvalid;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything needed to build the AWS clients: the region, optional endpoint overrides (the embedded
 * local stack), optional static credentials for those overrides, and the Iceberg catalog.
 *
 * <p>Read once per process with {@link #fromEnvironment(Map)}; {@link #toEnvironment()} is its
 * inverse, so the local stack hands a child process or a shell exactly the settings it uses itself.
 */
public record AwsSettings(
    String region,
    Optional<URI> s3Endpoint,
    Optional<URI> dynamoDbEndpoint,
    Optional<StaticCredentials> staticCredentials,
    CatalogSettings catalog) {

  public static final String AWS_REGION = "AWS_REGION";
  public static final String AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  public static final String AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  public static final String S3_ENDPOINT = "FEATUREPIPE_S3_ENDPOINT";
  public static final String DYNAMODB_ENDPOINT = "FEATUREPIPE_DYNAMODB_ENDPOINT";
  public static final String CATALOG_TYPE = "FEATUREPIPE_CATALOG_TYPE";
  public static final String CATALOG_URI = "FEATUREPIPE_CATALOG_URI";
  public static final String CATALOG_DATABASE = "FEATUREPIPE_CATALOG_DATABASE";
  public static final String WAREHOUSE = "FEATUREPIPE_WAREHOUSE";

  /**
   * Only for a process without AWS_REGION (a laptop shell): the Lambda runtime always sets it, and
   * the embedded stack accepts any region, so this never picks a region for real resources.
   */
  public static final String REGION_DEFAULT = "us-east-1";

  /** Glue on AWS; the embedded stack sets jdbc explicitly. */
  public static final String CATALOG_TYPE_DEFAULT = CatalogSettings.GLUE;

  public static final String CATALOG_DATABASE_DEFAULT = "featurepipe";

  /** Partition, area, optional qualifiers, number: us-east-1, eu-central-2, us-gov-west-1. */
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");

  public AwsSettings {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(s3Endpoint, "s3Endpoint");
    Objects.requireNonNull(dynamoDbEndpoint, "dynamoDbEndpoint");
    Objects.requireNonNull(staticCredentials, "staticCredentials");
    Objects.requireNonNull(catalog, "catalog");
    List<String> problems = new ArrayList<>();
    regionViolation(region).ifPresent(v -> problems.add("region: " + v));
    s3Endpoint.flatMap(AwsSettings::endpointViolation).ifPresent(v -> problems.add("s3Endpoint: " + v));
    dynamoDbEndpoint
        .flatMap(AwsSettings::endpointViolation)
        .ifPresent(v -> problems.add("dynamoDbEndpoint: " + v));
    if (staticCredentials.isPresent() && s3Endpoint.isEmpty() && dynamoDbEndpoint.isEmpty()) {
      problems.add(
          "staticCredentials: only allowed with an endpoint override; on AWS the default"
              + " credentials provider chain supplies credentials");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
  }

  /** True when any endpoint is overridden, that is when running against the local stack. */
  public boolean hasEndpointOverride() {
    return s3Endpoint.isPresent() || dynamoDbEndpoint.isPresent();
  }

  /**
   * Reads the settings from environment variables (normally {@code System.getenv()}), checking all
   * of them before failing: the one {@link ConfigInvalid} lists every problem, one per line, naming
   * the variable, the rule and the value.
   *
   * <p>An empty value counts as unset: SAM and CloudFormation cannot leave a variable out per
   * environment without {@code Fn::If}, so templates pass {@code ""} for "no override".
   *
   * <p>AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY become {@link StaticCredentials} only together
   * with an endpoint override. The Lambda runtime sets both variables too, with a session token; the
   * default provider chain reads all three and is the right source there.
   */
  public static AwsSettings fromEnvironment(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    List<String> problems = new ArrayList<>();

    String region = value(env, AWS_REGION).orElse(REGION_DEFAULT);
    regionViolation(region).ifPresent(v -> problems.add(AWS_REGION + ": " + v));

    Optional<URI> s3Endpoint = endpoint(env, S3_ENDPOINT, problems);
    Optional<URI> dynamoDbEndpoint = endpoint(env, DYNAMODB_ENDPOINT, problems);

    Optional<StaticCredentials> credentials = Optional.empty();
    if (s3Endpoint.isPresent() || dynamoDbEndpoint.isPresent()) {
      Optional<String> keyId = value(env, AWS_ACCESS_KEY_ID);
      Optional<String> secret = value(env, AWS_SECRET_ACCESS_KEY);
      if (keyId.isPresent() && secret.isPresent()) {
        credentials = Optional.of(new StaticCredentials(keyId.get(), secret.get()));
      } else if (keyId.isPresent()) {
        problems.add(AWS_SECRET_ACCESS_KEY + ": is required when " + AWS_ACCESS_KEY_ID + " is set");
      } else if (secret.isPresent()) {
        problems.add(AWS_ACCESS_KEY_ID + ": is required when " + AWS_SECRET_ACCESS_KEY + " is set");
      }
    }

    String type = value(env, CATALOG_TYPE).orElse(CATALOG_TYPE_DEFAULT);
    CatalogSettings.typeViolation(type).ifPresent(v -> problems.add(CATALOG_TYPE + ": " + v));
    Optional<String> jdbcUri = value(env, CATALOG_URI);
    CatalogSettings.jdbcUriViolation(type, jdbcUri)
        .ifPresent(v -> problems.add(CATALOG_URI + ": " + v));
    String database = value(env, CATALOG_DATABASE).orElse(CATALOG_DATABASE_DEFAULT);
    CatalogSettings.databaseViolation(database)
        .ifPresent(v -> problems.add(CATALOG_DATABASE + ": " + v));
    Optional<String> warehouse = value(env, WAREHOUSE);
    if (warehouse.isEmpty()) {
      problems.add(WAREHOUSE + ": is required, like s3://featurepipe-lake/silver");
    } else {
      CatalogSettings.warehouseViolation(warehouse.get())
          .ifPresent(v -> problems.add(WAREHOUSE + ": " + v));
    }

    if (!problems.isEmpty()) {
      throw new ConfigInvalid(
          "AWS settings from the environment are invalid:\n" + String.join("\n", problems));
    }
    return new AwsSettings(
        region,
        s3Endpoint,
        dynamoDbEndpoint,
        credentials,
        new CatalogSettings(type, jdbcUri, database, warehouse.get()));
  }

  /**
   * The environment variables that {@link #fromEnvironment(Map)} reads back into these settings,
   * sorted by name. Contains the secret access key when there are static credentials (local only).
   */
  public SortedMap<String, String> toEnvironment() {
    SortedMap<String, String> env = new TreeMap<>();
    env.put(AWS_REGION, region);
    s3Endpoint.ifPresent(e -> env.put(S3_ENDPOINT, e.toString()));
    dynamoDbEndpoint.ifPresent(e -> env.put(DYNAMODB_ENDPOINT, e.toString()));
    staticCredentials.ifPresent(
        c -> {
          env.put(AWS_ACCESS_KEY_ID, c.accessKeyId());
          env.put(AWS_SECRET_ACCESS_KEY, c.secretAccessKey());
        });
    env.put(CATALOG_TYPE, catalog.type());
    catalog.jdbcUri().ifPresent(u -> env.put(CATALOG_URI, u));
    env.put(CATALOG_DATABASE, catalog.database());
    env.put(WAREHOUSE, catalog.warehouse());
    return env;
  }

  private static Optional<String> value(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  private static Optional<URI> endpoint(Map<String, String> env, String name, List<String> problems) {
    Optional<String> raw = value(env, name);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(raw.get());
    } catch (URISyntaxException e) {
      problems.add(name + ": " + endpointRule(raw.get()));
      return Optional.empty();
    }
    Optional<String> violation = endpointViolation(uri);
    violation.ifPresent(v -> problems.add(name + ": " + v));
    return violation.isPresent() ? Optional.empty() : Optional.of(uri);
  }

  private static Optional<String> regionViolation(String region) {
    return REGION.matcher(region).matches()
        ? Optional.empty()
        : Optional.of("must be an AWS region name like us-east-1, got " + region);
  }

  /**
   * An endpoint is a scheme, a host and maybe a port. A path would be taken as part of every
   * request's path, and with path-style S3 access that silently puts the bucket one level down.
   */
  private static Optional<String> endpointViolation(URI uri) {
    boolean ok =
        ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            && uri.getHost() != null
            && uri.getUserInfo() == null
            && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
            && uri.getRawQuery() == null
            && uri.getRawFragment() == null;
    return ok ? Optional.empty() : Optional.of(endpointRule(uri.toString()));
  }

  private static String endpointRule(String value) {
    return "must be an http:// or https:// URL with a host, an optional port and no path,"
        + " like http://127.0.0.1:4566, got "
        + value;
  }
}
