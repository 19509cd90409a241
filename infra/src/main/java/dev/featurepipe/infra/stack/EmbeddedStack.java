package dev.featurepipe.infra.stack;

import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.aws.AwsSettings;
import dev.featurepipe.config.LakeNames;
import dev.featurepipe.aws.CatalogSettings;
import dev.featurepipe.aws.StaticCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * The local stand-in for the AWS services the pipeline uses, with no Docker and no account: S3
 * (S3Proxy in this JVM, filesystem-backed), DynamoDB (dynalite, a Node.js child process, LevelDB
 * on disk) and the Iceberg catalog (JdbcCatalog on SQLite, S3FileIO against the local S3). All
 * state lives in {@link StackOptions#stateDir()}, so a restart keeps the data; the endpoints are
 * plain 127.0.0.1 URLs that the AWS CLI and any SDK can use while it runs.
 *
 * <p>{@link #start} is idempotent about its resources: buckets, tables and the Iceberg namespace
 * are created when missing and left alone when present. One stack at a time may use a state
 * directory (a lock file guards it). {@link #close()} stops everything, and so does JVM shutdown.
 */
public final class EmbeddedStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);

  /** The stack's access key id. Local only: it guards nothing but a loopback port. */
  public static final String ACCESS_KEY_ID = "featurepipe";

  /**
   * The stack's secret key: a published constant, not a secret. S3Proxy checks V4 signatures with
   * it, so every SDK and the AWS CLI sign requests exactly as they do against AWS.
   */
  public static final String SECRET_ACCESS_KEY = "featurepipe-local";

  /** Any region works locally; this one matches {@link AwsSettings#REGION_DEFAULT}. */
  public static final String REGION = AwsSettings.REGION_DEFAULT;

  /** The Iceberg namespace (Glue database on AWS) of the Silver tables. */
  public static final String NAMESPACE = AwsSettings.CATALOG_DATABASE_DEFAULT;


  /** The AWS CLI v1 and boto3 read the region from here, not from AWS_REGION. */
  public static final String AWS_DEFAULT_REGION_ENV = "AWS_DEFAULT_REGION";

  /** The TTL attribute of the feature table (DESIGN.md section 3). */
  public static final String TTL_ATTRIBUTE = "ttl";

  private static final Duration TABLE_POLL = Duration.ofMillis(20);
  private static final Duration TABLE_TIMEOUT = Duration.ofSeconds(10);

  private final StackOptions options;
  private final S3Server s3;
  private final Dynalite dynalite;
  private final FileChannel lockChannel;
  private final AwsSettings settings;
  private final Duration startupDuration;
  private final Thread shutdownHook;
  private boolean closed;

  private EmbeddedStack(
      StackOptions options,
      S3Server s3,
      Dynalite dynalite,
      FileChannel lockChannel,
      AwsSettings settings,
      Duration startupDuration) {
    this.options = options;
    this.s3 = s3;
    this.dynalite = dynalite;
    this.lockChannel = lockChannel;
    this.settings = settings;
    this.startupDuration = startupDuration;
    this.shutdownHook = new Thread(this::close, "featurepipe-stack-shutdown");
  }

  /**
   * Starts the stack and creates what is missing: both buckets, both tables (the feature table
   * with TTL where the emulator supports it) and the Iceberg namespace. Fails with {@link
   * StackStartFailed} when a tool is missing, a port is taken or another stack holds the state
   * directory; nothing is left running then.
   */
  public static EmbeddedStack start(StackOptions options) {
    long started = System.nanoTime();
    Path stateDir = options.stateDir();
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      Path root = RepoRoot.locate();
      Files.createDirectories(stateDir.resolve("s3"));
      Files.createDirectories(stateDir.resolve("dynamodb"));
      FileChannel lock = lockStateDir(stateDir);
      opened.push(lock);
      if (options.s3Port() != 0) {
        Dynalite.requireFree(options.s3Port(), "S3");
      }

      // S3Proxy (Guice, jclouds, Jetty) takes the longest to come up, so it starts on another
      // thread while this one starts dynalite and creates the tables and the Iceberg namespace,
      // none of which needs S3. The buckets come last.
      CompletableFuture<S3Server> s3Start =
          CompletableFuture.supplyAsync(
              () ->
                  S3Server.start(
                      stateDir.resolve("s3"), options.s3Port(), ACCESS_KEY_ID, SECRET_ACCESS_KEY));
      long dynamoDbReady;
      Dynalite dynalite;
      try {
        dynalite =
            Dynalite.start(
                root,
                options.dynamoDbPort(),
                stateDir.resolve("dynamodb"),
                stateDir.resolve("dynalite.log"));
        opened.push(dynalite);
        try (AwsClients clients = new AwsClients(settings(options, Optional.empty(), dynalite))) {
          createTables(clients.dynamoDb(), options);
          createNamespace(clients);
        }
        dynamoDbReady = System.nanoTime();
      } catch (RuntimeException e) {
        s3Start.thenAccept(S3Server::close);
        throw e;
      }
      S3Server s3 = join(s3Start);
      opened.push(s3);
      long s3Ready = System.nanoTime();

      AwsSettings settings = settings(options, Optional.of(s3.endpoint()), dynalite);
      try (AwsClients clients = new AwsClients(settings)) {
        createBuckets(clients.s3(), options);
      }

      Duration took = Duration.ofNanos(System.nanoTime() - started);
      EmbeddedStack stack = new EmbeddedStack(options, s3, dynalite, lock, settings, took);
      Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
      LOG.info(
          "Local stack up in {} ms (DynamoDB tables and catalog ready at {} ms, S3Proxy at {} ms):"
              + " S3 {}, DynamoDB {} (pid {}), state {}",
          took.toMillis(),
          Duration.ofNanos(dynamoDbReady - started).toMillis(),
          Duration.ofNanos(s3Ready - started).toMillis(),
          s3.endpoint(),
          stack.dynamoDbEndpoint(),
          dynalite.pid(),
          stateDir);
      return stack;
    } catch (IOException e) {
      StackStartFailed failure =
          new StackStartFailed("Cannot prepare the state directory " + stateDir + ": " + e, e);
      closeAfterFailure(opened, failure);
      throw failure;
    } catch (RuntimeException e) {
      closeAfterFailure(opened, e);
      throw e;
    }
  }

  /**
   * Endpoints, the stack's static credentials and the JDBC catalog on {@code
   * <stateDir>/catalog.db} with warehouse {@code s3://<lake>/silver}.
   */
  public AwsSettings awsSettings() {
    return settings;
  }

  /**
   * The environment that gives another process the same view: {@link AwsSettings#toEnvironment()}
   * plus the bucket and table names and AWS_DEFAULT_REGION (for the AWS CLI), sorted by name.
   * Contains the local secret key.
   */
  public SortedMap<String, String> environment() {
    SortedMap<String, String> env = new TreeMap<>(settings.toEnvironment());
    env.put(AWS_DEFAULT_REGION_ENV, settings.region());
    env.put(LakeNames.LAKE_BUCKET, options.lakeBucket());
    env.put(LakeNames.SOURCE_BUCKET, options.sourceBucket());
    env.put(LakeNames.FEATURE_TABLE, options.featureTable());
    env.put(LakeNames.CONTROL_TABLE, options.controlTable());
    return Collections.unmodifiableSortedMap(env);
  }

  public URI s3Endpoint() {
    return s3.endpoint();
  }

  public URI dynamoDbEndpoint() {
    return URI.create("http://127.0.0.1:" + dynalite.port());
  }

  public StackOptions options() {
    return options;
  }

  /** From {@link #start} being called to the stack being ready, bootstrap included. */
  public Duration startupDuration() {
    return startupDuration;
  }

  /** The dynalite child process, for callers that must see it gone (tests, the CLI). */
  public ProcessHandle dynamoDbProcess() {
    return dynalite.handle();
  }

  /** Stops S3Proxy and dynalite and releases the state directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: this is the hook running.
    }
    Deque<AutoCloseable> toClose = new ArrayDeque<>();
    toClose.push(lockChannel);
    toClose.push(dynalite);
    toClose.push(s3);
    closeAll(toClose);
    LOG.info("Local stack stopped");
  }

  private static AwsSettings settings(
      StackOptions options, Optional<URI> s3Endpoint, Dynalite dynalite) {
    String catalogUri = "jdbc:sqlite:" + options.stateDir().resolve("catalog.db");
    return new AwsSettings(
        REGION,
        s3Endpoint,
        Optional.of(URI.create("http://127.0.0.1:" + dynalite.port())),
        Optional.of(new StaticCredentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)),
        new CatalogSettings(
            CatalogSettings.JDBC,
            Optional.of(catalogUri),
            NAMESPACE,
            "s3://" + options.lakeBucket() + "/silver"));
  }

  private static void createBuckets(S3Client s3, StackOptions options) {
    Set<String> existing = new TreeSet<>();
    for (Bucket bucket : s3.listBuckets().buckets()) {
      existing.add(bucket.name());
    }
    for (String bucket : new TreeSet<>(Set.of(options.lakeBucket(), options.sourceBucket()))) {
      if (!existing.contains(bucket)) {
        try {
          s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException e) {
          // Created between the listing and now; that is the state we want.
        }
      }
    }
  }

  private static void createTables(DynamoDbClient dynamoDb, StackOptions options) {
    Set<String> existing = new TreeSet<>(dynamoDb.listTables().tableNames());
    for (String table : new TreeSet<>(Set.of(options.featureTable(), options.controlTable()))) {
      if (existing.contains(table)) {
        continue;
      }
      try {
        dynamoDb.createTable(
            b ->
                b.tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                        AttributeDefinition.builder()
                            .attributeName("pk")
                            .attributeType(ScalarAttributeType.S)
                            .build(),
                        AttributeDefinition.builder()
                            .attributeName("sk")
                            .attributeType(ScalarAttributeType.S)
                            .build())
                    .keySchema(
                        KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder()
                            .attributeName("sk")
                            .keyType(KeyType.RANGE)
                            .build()));
      } catch (ResourceInUseException e) {
        // Created between the listing and now.
      }
      // The SDK's TableExists waiter polls every 20 s, tuned for real DynamoDB; dynalite turns a
      // table ACTIVE within milliseconds, so poll at that pace instead.
      try (DynamoDbWaiter waiter =
          DynamoDbWaiter.builder()
              .client(dynamoDb)
              .overrideConfiguration(
                  w ->
                      w.backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(TABLE_POLL))
                          .waitTimeout(TABLE_TIMEOUT))
              .build()) {
        waiter.waitUntilTableExists(b -> b.tableName(table));
      }
      if (table.equals(options.featureTable())) {
        enableTtl(dynamoDb, table);
      }
    }
  }

  /**
   * dynalite 4.0.0 does not implement UpdateTimeToLive (it answers UnknownOperationException) and
   * never expires items. Local runs are short, and readers already ignore items past their {@code
   * ttl} (DynamoDB itself deletes them up to days late), so the stack goes on without it. Should a
   * later emulator implement it, this starts working with no change.
   */
  private static void enableTtl(DynamoDbClient dynamoDb, String table) {
    try {
      dynamoDb.updateTimeToLive(
          b ->
              b.tableName(table)
                  .timeToLiveSpecification(t -> t.enabled(true).attributeName(TTL_ATTRIBUTE)));
    } catch (DynamoDbException e) {
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      if (!"UnknownOperationException".equals(code)) {
        throw e;
      }
      LOG.debug("DynamoDB emulator has no UpdateTimeToLive; items in {} never expire", table);
    }
  }

  private static void createNamespace(AwsClients clients) {
    SupportsNamespaces namespaces = (SupportsNamespaces) clients.catalog();
    Namespace namespace = Namespace.of(NAMESPACE);
    if (!namespaces.namespaceExists(namespace)) {
      try {
        namespaces.createNamespace(namespace);
      } catch (AlreadyExistsException e) {
        // Created by another process between the check and now.
      }
    }
  }

  /**
   * A second stack on the same state directory would fight the first over dynalite's LevelDB lock
   * and SQLite; this lock makes it fail first, with a message that says so.
   */
  private static FileChannel lockStateDir(Path stateDir) throws IOException {
    Path lockFile = stateDir.resolve("stack.lock");
    FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      String holder = "";
      try {
        holder = " (pid " + Files.readString(lockFile, StandardCharsets.UTF_8).strip() + ")";
      } catch (IOException e) {
        // The pid is a courtesy; the message stands without it.
      }
      throw new StackStartFailed(
          "Another FeaturePipe stack" + holder + " is using " + stateDir
              + ": stop it (Ctrl-C where it runs) or use another state directory");
    }
    channel.truncate(0);
    channel.write(
        ByteBuffer.wrap(
            (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
    return channel;
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static void closeAfterFailure(Deque<AutoCloseable> opened, RuntimeException failure) {
    try {
      closeAll(opened);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Closes in stack order (last opened first); reports the first failure, keeps going. */
  private static void closeAll(Deque<AutoCloseable> resources) {
    RuntimeException failure = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure =
              e instanceof IOException io
                  ? new UncheckedIOException(io)
                  : new IllegalStateException("Failed to stop the local stack", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
