package dev.featurepipe.aws;

import dev.featurepipe.aws.internal.EndpointOverrideS3FileIOClientFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.aws.AwsClientProperties;
import org.apache.iceberg.aws.HttpClientProperties;
import org.apache.iceberg.aws.glue.GlueCatalog;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.aws.s3.S3FileIOProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The one place where AWS clients are built. Handlers build one per process from {@link
 * AwsSettings#fromEnvironment}; the local stack and tests build one from the stack's settings.
 * Every client is built on first use (a handler that only writes DynamoDB does not pay for S3 or
 * the catalog at cold start) and shares one URL-connection HTTP client. {@link #close()} closes
 * them all.
 */
public final class AwsClients implements AutoCloseable {

  /**
   * The Iceberg catalog name. JdbcCatalog stores it in every row, so it must stay the same for a
   * catalog database to keep its tables; GlueCatalog only uses it in table names.
   */
  public static final String CATALOG_NAME = "featurepipe";

  /**
   * Iceberg's JdbcCatalog schema with view support. V0 (its default, kept for old databases) logs
   * a warning on every start and cannot hold views; a catalog we create can start at V1. The key is
   * package-private in Iceberg (JdbcUtil.SCHEMA_VERSION_PROPERTY).
   */
  static final String JDBC_SCHEMA_VERSION = "jdbc.schema-version";

  private final AwsSettings settings;
  private final SdkHttpClient httpClient;
  private final AwsCredentialsProvider credentials;

  private S3Client s3;
  private DynamoDbClient dynamoDb;
  private DynamoDbEnhancedClient dynamoDbEnhanced;
  private Catalog catalog;
  private boolean closed;

  public AwsClients(AwsSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.httpClient = UrlConnectionHttpClient.builder().build();
    this.credentials =
        settings
            .staticCredentials()
            .<AwsCredentialsProvider>map(
                c ->
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
            .orElseGet(() -> DefaultCredentialsProvider.builder().build());
  }

  public AwsSettings settings() {
    return settings;
  }

  public synchronized S3Client s3() {
    ensureOpen();
    if (s3 == null) {
      S3ClientBuilder builder =
          S3Client.builder()
              .region(Region.of(settings.region()))
              .credentialsProvider(credentials)
              .httpClient(httpClient);
      settings
          .s3Endpoint()
          .ifPresent(
              endpoint ->
                  builder
                      .endpointOverride(endpoint)
                      // A local server answers on one host name; virtual-hosted style would need
                      // DNS for <bucket>.127.0.0.1.
                      .forcePathStyle(true)
                      .applyMutation(
                          EndpointOverrideS3FileIOClientFactory::applyEndpointOverrideChecksums));
      s3 = builder.build();
    }
    return s3;
  }

  public synchronized DynamoDbClient dynamoDb() {
    ensureOpen();
    if (dynamoDb == null) {
      DynamoDbClientBuilder builder =
          DynamoDbClient.builder()
              .region(Region.of(settings.region()))
              .credentialsProvider(credentials)
              .httpClient(httpClient);
      settings.dynamoDbEndpoint().ifPresent(builder::endpointOverride);
      dynamoDb = builder.build();
    }
    return dynamoDb;
  }

  public synchronized DynamoDbEnhancedClient dynamoDbEnhanced() {
    ensureOpen();
    if (dynamoDbEnhanced == null) {
      dynamoDbEnhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamoDb()).build();
    }
    return dynamoDbEnhanced;
  }

  /**
   * A Secrets Manager client for {@link AwsSecrets}. Static, unlike {@link #s3()}: secret references
   * are resolved by one cache per process ({@link SecretRouter#forProcess}), which outlives the
   * per-context instances. {@code credentials} empty: the default provider chain, owned and closed
   * by the client. {@code endpoint}: a test's stand-in server (on AWS the SDK's own {@code
   * AWS_ENDPOINT_URL_SECRETS_MANAGER} variable serves VPC endpoints).
   */
  static SecretsManagerClient secretsManager(String region, Optional<URI> endpoint,
      Optional<AwsCredentialsProvider> credentials) {
    return build(SecretsManagerClient.builder(), region, endpoint, credentials);
  }

  /** An SSM client for {@link AwsSecrets}, as {@link #secretsManager}. */
  static SsmClient ssm(String region, Optional<URI> endpoint, Optional<AwsCredentialsProvider> credentials) {
    return build(SsmClient.builder(), region, endpoint, credentials);
  }

  /** Each such client owns its own URL-connection HTTP client (the one HTTP client the jar ships) and closes it. */
  private static <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C build(B builder, String region,
      Optional<URI> endpoint, Optional<AwsCredentialsProvider> credentials) {
    builder.region(Region.of(region)).httpClientBuilder(UrlConnectionHttpClient.builder());
    endpoint.ifPresent(builder::endpointOverride);
    credentials.ifPresent(builder::credentialsProvider);
    return builder.build();
  }

  /**
   * The Iceberg catalog of the Silver tables: a {@link GlueCatalog} or a {@link JdbcCatalog}, both
   * with {@link S3FileIO} over the same endpoint, region and credentials as {@link #s3()}. Iceberg
   * builds its own S3 (and Glue) clients from {@link #catalogProperties(AwsSettings)}.
   */
  public synchronized Catalog catalog() {
    ensureOpen();
    if (catalog == null) {
      SortedMap<String, String> properties = catalogProperties(settings);
      catalog =
          switch (settings.catalog().type()) {
            case CatalogSettings.GLUE -> {
              GlueCatalog glue = new GlueCatalog();
              glue.initialize(CATALOG_NAME, properties);
              yield glue;
            }
            case CatalogSettings.JDBC -> {
              JdbcCatalog jdbc = new JdbcCatalog();
              jdbc.initialize(CATALOG_NAME, properties);
              yield jdbc;
            }
            default ->
                throw new IllegalStateException(
                    "[BUG] CatalogSettings admitted catalog type " + settings.catalog().type());
          };
    }
    return catalog;
  }

  /**
   * The catalog and S3FileIO properties for {@code settings}, sorted by key. Key names come from
   * Iceberg's own constants (S3FileIOProperties, AwsClientProperties, HttpClientProperties,
   * CatalogProperties).
   */
  static SortedMap<String, String> catalogProperties(AwsSettings settings) {
    SortedMap<String, String> p = new TreeMap<>();
    p.put(CatalogProperties.WAREHOUSE_LOCATION, settings.catalog().warehouse());
    p.put(CatalogProperties.FILE_IO_IMPL, S3FileIO.class.getName());
    p.put(AwsClientProperties.CLIENT_REGION, settings.region());
    // Iceberg defaults to the Apache HTTP client, which functions/pom.xml excludes: one SDK HTTP
    // client for everything.
    p.put(HttpClientProperties.CLIENT_TYPE, HttpClientProperties.CLIENT_TYPE_URLCONNECTION);
    settings
        .s3Endpoint()
        .ifPresent(
            endpoint -> {
              p.put(S3FileIOProperties.ENDPOINT, endpoint.toString());
              p.put(S3FileIOProperties.PATH_STYLE_ACCESS, "true");
              // Same checksum policy as s3(): Iceberg has no property for it.
              p.put(
                  S3FileIOProperties.CLIENT_FACTORY,
                  EndpointOverrideS3FileIOClientFactory.class.getName());
            });
    settings
        .staticCredentials()
        .ifPresent(
            c -> {
              p.put(S3FileIOProperties.ACCESS_KEY_ID, c.accessKeyId());
              p.put(S3FileIOProperties.SECRET_ACCESS_KEY, c.secretAccessKey());
            });
    settings
        .catalog()
        .jdbcUri()
        .ifPresent(
            uri -> {
              p.put(CatalogProperties.URI, uri);
              p.put(JDBC_SCHEMA_VERSION, "V1");
              if (uri.startsWith("jdbc:sqlite:")) {
                // SQLite has one writer per database file. One pooled connection serializes this
                // process's commits instead of failing them with SQLITE_BUSY; WAL lets another
                // process (the CLI reading while a run commits) read during a write, and the busy
                // timeout makes a second writing process wait instead of failing at once.
                // JdbcClientPool hands "jdbc."-prefixed properties to the driver.
                p.put(CatalogProperties.CLIENT_POOL_SIZE, "1");
                p.put("jdbc.journal_mode", "WAL");
                p.put("jdbc.busy_timeout", "10000");
              }
            });
    return p;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> toClose = new ArrayList<>();
    if (catalog instanceof AutoCloseable closeable) {
      toClose.add(closeable);
    }
    if (s3 != null) {
      toClose.add(s3);
    }
    if (dynamoDb != null) {
      toClose.add(dynamoDb);
    }
    if (credentials instanceof SdkAutoCloseable closeable) {
      toClose.add(closeable);
    }
    // Last: the SDK clients above share it and do not close it themselves.
    toClose.add(httpClient);
    RuntimeException failure = null;
    for (AutoCloseable closeable : toClose) {
      try {
        closeable.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("Failed to close AWS clients", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("AwsClients is closed");
    }
  }
}
