package dev.featurepipe.tests.online;

import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.catalog.CommitResult;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.online.FeatureLoader;
import dev.featurepipe.online.LoadOptions;
import dev.featurepipe.online.LoadResult;
import dev.featurepipe.transform.BucketFile;
import dev.featurepipe.transform.SilverSchemas;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The embedded stack (S3Proxy, dynalite over HTTP) for the online store's tests, the demo's feature
 * groups, and helpers: commit Silver rows as LoadFeatures finds them, load them, read the table back.
 */
final class OnlineStoreFixture implements AutoCloseable {

  static final LoadedConfig DEMO = ConfigLoader.load(RepoRoot.locate().resolve("config/demo/pipeline.yaml"));
  static final FeatureGroupConfig USER_ACTIVITY = DEMO.config().group("user_activity_v1").orElseThrow();
  static final FeatureGroupConfig PRODUCT_STATS = DEMO.config().group("product_stats_v1").orElseThrow();

  /** Fast retries for tests: backoff only shapes timing. */
  static final LoadOptions FAST = new LoadOptions(4, 8, Duration.ofMillis(1), Duration.ofMillis(20),
      Duration.ofMinutes(2), Duration.ofSeconds(1));

  final EmbeddedStack stack;
  final AwsClients clients;
  final LakeStore lake;
  final String table;

  OnlineStoreFixture(Path stateDir) {
    stack = EmbeddedStack.start(StackOptions.forTests(stateDir));
    clients = new AwsClients(stack.awsSettings());
    lake = new LakeStore(clients.s3(), stack.options().lakeBucket());
    table = stack.options().featureTable();
  }

  /**
   * A DynamoDB client on dynalite with the given interceptors and no SDK retries, so every refused
   * request reaches the loader's own retry loop.
   */
  DynamoDbClient dynamo(ExecutionInterceptor... interceptors) {
    return DynamoDbClient.builder()
        .endpointOverride(stack.dynamoDbEndpoint())
        .region(Region.of(EmbeddedStack.REGION))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(EmbeddedStack.ACCESS_KEY_ID, EmbeddedStack.SECRET_ACCESS_KEY)))
        .overrideConfiguration(c -> {
          c.retryStrategy(AwsRetryStrategy.doNotRetry());
          for (ExecutionInterceptor i : interceptors) {
            c.addExecutionInterceptor(i);
          }
        })
        .build();
  }

  LoadResult load(DynamoDbClient dynamo, LoadOptions options, String runId, LocalDate dt, FeatureGroupConfig group,
      int shard, int shardCount) {
    return new FeatureLoader(dynamo, table, clients.s3(), lake, options)
        .load(runId, dt, group, shard, shardCount, "test", Optional.empty());
  }

  /** Commits the rows (entity order) as one Silver file per bucket label given by {@code bucketOf}. */
  CommitResult commit(String runId, LocalDate dt, FeatureGroupConfig group, List<Record> rows, int files) {
    var schema = SilverSchemas.features(group);
    List<BucketFile> written = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      List<Record> part = rows.subList(rows.size() * i / files, rows.size() * (i + 1) / files);
      byte[] bytes = ParquetFiles.write(schema, part);
      FileEntry f = lake.put("silver/" + group.name() + "/test/" + runId + "/part-" + i + ".parquet", bytes,
          part.size(), "application/vnd.apache.parquet");
      written.add(new BucketFile(i, f));
    }
    CommitResult commit = new CommitResult(group.versionedName(), "featurepipe." + group.versionedName(),
        dt.toString(), 1, rows.size(), written, "featurepipe." + group.tilesName(), 0, 0, List.of(), "test");
    lake.putJson(LakeLayout.commitResult(runId, group.versionedName()), commit);
    return commit;
  }

  /** Every item of one sort key, by pk. */
  List<Map<String, AttributeValue>> items(String sk) {
    List<Map<String, AttributeValue>> out = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      ScanResponse page = clients.dynamoDb().scan(b -> b.tableName(table).exclusiveStartKey(from).consistentRead(true));
      page.items().stream().filter(i -> i.get("sk").s().equals(sk)).forEach(out::add);
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    out.sort(Comparator.comparing(i -> i.get("pk").s()));
    return out;
  }

  /** Deletes every item: each test starts from an empty table. */
  void clear() {
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      ScanResponse page = clients.dynamoDb().scan(b -> b.tableName(table).exclusiveStartKey(from)
          .projectionExpression("pk, sk"));
      for (Map<String, AttributeValue> key : page.items()) {
        clients.dynamoDb().deleteItem(b -> b.tableName(table).key(key));
      }
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
  }

  /** An item as canonical text: attributes sorted, each value tagged by type (binary as base64). */
  static String canonical(Map<String, AttributeValue> item) {
    StringBuilder sb = new StringBuilder("{");
    new TreeMap<>(item).forEach((k, v) -> sb.append(k).append('=').append(canonical(v)).append(';'));
    return sb.append('}').toString();
  }

  private static String canonical(AttributeValue v) {
    if (v.s() != null) return "S:" + v.s();
    if (v.n() != null) return "N:" + v.n();
    if (v.b() != null) return "B:" + Base64.getEncoder().encodeToString(v.b().asByteArray());
    if (v.bool() != null) return "BOOL:" + v.bool();
    if (v.hasL()) return "L:" + v.l().stream().map(OnlineStoreFixture::canonical).toList();
    if (v.hasM()) return "M:" + canonical(v.m());
    return "NULL";
  }

  @Override
  public void close() {
    clients.close();
    stack.close();
  }
}
