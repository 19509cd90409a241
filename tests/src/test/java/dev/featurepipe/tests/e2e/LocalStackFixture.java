package dev.featurepipe.tests.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.sfn.TaskInvoker;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lineage.RunRecord;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** A real embedded stack (S3Proxy, dynalite over HTTP, JDBC Iceberg catalog) in a temp dir, and helpers to look at it. */
final class LocalStackFixture implements AutoCloseable {

  static final String GROUP = "product_stats_v1";

  /**
   * The engine spec of config/pipeline.yaml's product_stats as one YAML flow line, for test configs
   * that declare the group inline: {@code {name: product_stats, ..., PRODUCT_STATS_SPEC}}.
   */
  static final String PRODUCT_STATS_SPEC = "event_time: event_time, dedupe_by: event_id, windows: [1d, 7d, 30d],"
      + " features: [{name: views, agg: count, where: {column: event_type, in: [view]}},"
      + " {name: clicks, agg: count, where: {column: event_type, in: [click]}},"
      + " {name: add_to_carts, agg: count, where: {column: event_type, in: [add_to_cart]}},"
      + " {name: purchases, agg: count, where: {column: event_type, in: [purchase]}},"
      + " {name: distinct_users, agg: count_distinct, column: user_id},"
      + " {name: revenue, agg: sum, column: price, times: quantity, where: {column: event_type, in: [purchase]}}]";
  private static final AtomicInteger EXECUTIONS = new AtomicInteger();

  final LocalPipeline local;

  LocalStackFixture(Path tempDir) {
    this(tempDir, UnaryOperator.identity());
  }

  LocalStackFixture(Path tempDir, UnaryOperator<TaskInvoker> invokerDecorator) {
    this(tempDir, ConfigLoader.loadBundled(), invokerDecorator);
  }

  LocalStackFixture(Path tempDir, dev.featurepipe.config.LoadedConfig config, UnaryOperator<TaskInvoker> invokerDecorator) {
    local = LocalPipeline.start(RepoRoot.locate(), StackOptions.forTests(tempDir), config, 2, invokerDecorator);
  }

  ClickstreamGenerator.Dataset upload(long seed, LocalDate date, int events, int objects, int badLines) {
    return upload("clickstream/", seed, date, events, objects, badLines);
  }

  ClickstreamGenerator.Dataset upload(String prefix, long seed, LocalDate date, int events, int objects, int badLines) {
    var spec = new ClickstreamGenerator.Spec(seed, date, events, objects, Math.max(10, events / 100),
        Math.max(10, events / 10), badLines);
    var dataset = ClickstreamGenerator.generate(spec, prefix);
    local.upload(dataset);
    return dataset;
  }

  ExecutionResult runDaily(LocalDate date, Map<String, Integer> fanout) {
    return runDaily(date, fanout, false);
  }

  /** {@code force}: recompute even when inputs, config and code match the last successful run. */
  ExecutionResult runDaily(LocalDate date, Map<String, Integer> fanout, boolean force) {
    ObjectNode input = Json.mapper().createObjectNode().put("date", date.toString());
    if (force) {
      input.put("force", true);
    }
    if (!fanout.isEmpty()) {
      ObjectNode f = input.putObject("fanout");
      fanout.forEach(f::put);
    }
    return local.run(LocalPipeline.DAILY, "test-" + date + "-" + EXECUTIONS.incrementAndGet(), input);
  }

  /**
   * Each Extract item's own output (ExtractSummary JSON) in a run, found as on AWS: the ExtractAll
   * state's output names its ResultWriter manifest, which lists the SUCCEEDED result files.
   */
  List<com.fasterxml.jackson.databind.JsonNode> extractOutputs(ExecutionResult result) {
    var exited = result.history().stream()
        .filter(e -> "ExtractAll".equals(e.stateName()) && e.type().equals("MapStateExited")).findFirst().orElseThrow();
    var details = exited.details().path("output").path("extractMap").path("ResultWriterDetails");
    var manifest = Json.read(lake().get(details.get("Key").asText()), com.fasterxml.jackson.databind.JsonNode.class);
    List<com.fasterxml.jackson.databind.JsonNode> outputs = new ArrayList<>();
    for (var file : manifest.path("ResultFiles").path("SUCCEEDED")) {
      for (var child : Json.read(lake().get(file.get("Key").asText()), com.fasterxml.jackson.databind.JsonNode.class)) {
        outputs.add(Json.read(child.get("Output").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8),
            com.fasterxml.jackson.databind.JsonNode.class));
      }
    }
    return outputs;
  }

  /** Puts one object into the source bucket as is (hand-written feeds, beside the generator's). */
  void putSourceObject(String key, byte[] bytes) {
    local.clients().s3().putObject(b -> b.bucket(local.context().names().sourceBucket()).key(key),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes));
  }

  LakeStore lake() {
    return new LakeStore(local.clients().s3(), local.context().names().lakeBucket());
  }

  RunRecord runRecord(LocalDate date) {
    return lake().getJson(LakeLayout.runRecord("daily-" + date), RunRecord.class);
  }

  /** Every object under a prefix with the SHA-256 of its bytes as downloaded (not as any manifest claims). */
  Map<String, String> objectHashes(String prefix) {
    Map<String, String> out = new TreeMap<>();
    for (String key : lake().list(prefix)) {
      out.put(key, Hashing.sha256Hex(lake().get(key)));
    }
    return out;
  }

  List<String> sourceKeys(LocalDate date) {
    List<String> keys = new ArrayList<>();
    for (S3Object o : local.clients().s3().listObjectsV2(b -> b.bucket(local.context().names().sourceBucket())
        .prefix("clickstream/dt=" + date + "/")).contents()) {
      keys.add(o.key());
    }
    return keys;
  }

  Table silverTable() {
    return local.context().catalog().get()
        .loadTable(TableIdentifier.of(Namespace.of(local.context().catalogDatabase()), GROUP));
  }

  List<Record> silverRows(LocalDate date) {
    return silverRows(GROUP, date);
  }

  /** The rows of {@code dt = date} of a Silver table ({@code product_stats_v1}, {@code user_activity_v1_tiles}, ...). */
  List<Record> silverRows(String table, LocalDate date) {
    return silverRows(local.context().catalog().get()
        .loadTable(TableIdentifier.of(Namespace.of(local.context().catalogDatabase()), table)), date);
  }

  private static List<Record> silverRows(Table table, LocalDate date) {
    table.refresh();
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).where(Expressions.equal("dt", date.toString())).build()) {
      it.forEach(r -> rows.add(r.copy()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return rows;
  }

  /** The group's feature items whose as_of is {@code date}, keyed by pk, read over HTTP with the SDK. */
  Map<String, Map<String, AttributeValue>> onlineItems(LocalDate date) {
    Map<String, Map<String, AttributeValue>> out = new TreeMap<>();
    onlineItems().forEach((pk, item) -> {
      if (item.get("as_of").s().equals(date.toString())) {
        out.put(pk, item);
      }
    });
    return out;
  }

  /** All feature items of the group, keyed by pk, read over HTTP with the SDK. */
  Map<String, Map<String, AttributeValue>> onlineItems() {
    return onlineItems(GROUP);
  }

  /** All items whose sort key is {@code sk} (a group version, or meta), keyed by pk. */
  Map<String, Map<String, AttributeValue>> onlineItems(String sk) {
    Map<String, Map<String, AttributeValue>> out = new TreeMap<>();
    Map<String, AttributeValue> start = null;
    do {
      final Map<String, AttributeValue> from = start;
      ScanResponse page = local.clients().dynamoDb()
          .scan(b -> b.tableName(local.context().names().featureTable()).exclusiveStartKey(from));
      for (Map<String, AttributeValue> item : page.items()) {
        if (item.get("sk").s().equals(sk)) {
          out.put(item.get("pk").s(), item);
        }
      }
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    return out;
  }

  Map<String, AttributeValue> metaItem() {
    return local.clients().dynamoDb().getItem(b -> b.tableName(local.context().names().featureTable())
        .key(Map.of("pk", AttributeValue.fromS("meta:" + GROUP), "sk", AttributeValue.fromS("meta")))).item();
  }

  @Override
  public void close() {
    local.close();
  }
}
