package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.infra.demo.DemoLine;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lineage.RunRecord;
import dev.featurepipe.ops.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The daily workflow end to end on the embedded stack, through the real ASL and handlers. The tests
 * share one stack, so they run in the order of their dates: the feature table keeps the newest
 * {@code as_of} per key, and a load of an older date skips the products a newer date already wrote.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DailyPipelineTest {

  // Each test uses its own date, months apart, so no 30-day window of one reaches another's data.

  @TempDir static Path tempDir;
  static LocalStackFixture stack;

  @BeforeAll
  static void start() {
    stack = new LocalStackFixture(tempDir);
  }

  @AfterAll
  static void stop() {
    if (stack != null) stack.close();
  }

  @Test
  @Order(1)
  void rowCountsFeaturesAndItemsMatchAComputationFromTheRawEvents() {
    LocalDate date = LocalDate.of(2026, 1, 20);
    ClickstreamGenerator.Dataset data = stack.upload(7, date, 12_000, 5, 30);

    ExecutionResult result = stack.runDaily(date, Map.of());

    assertThat(result.status()).as("%s %s", result.error(), result.cause()).isEqualTo("SUCCEEDED");
    long validLines = data.lines().stream().filter(DemoLine::valid).count();
    long badLines = data.lines().size() - validLines;
    assertThat(result.output().get("bronzeRows").asLong()).isEqualTo(validLines);
    assertThat(result.output().get("quarantinedRows").asLong()).isEqualTo(badLines).isEqualTo(30);

    Map<String, ExpectedProductStats> expected = ExpectedProductStats.compute(data.validEvents());
    Map<String, ExpectedProductStats> silver = new TreeMap<>();
    for (Record r : stack.silverRows(date)) {
      assertThat(r.getField("dt")).isEqualTo(date);
      assertThat(r.getField("as_of")).isEqualTo(date);
      ExpectedProductStats previous = silver.put((String) r.getField("product_id"), silverStats(r, "1d"));
      assertThat(previous).as("one Silver row per product").isNull();
      // The only date in this stack's 30 days: every window holds just that day.
      assertThat(silverStats(r, "7d")).isEqualTo(silverStats(r, "1d"));
      assertThat(silverStats(r, "30d")).isEqualTo(silverStats(r, "1d"));
    }
    assertThat(silver).isEqualTo(expected);

    Map<String, Map<String, AttributeValue>> items = stack.onlineItems(date);
    assertThat(items).hasSize(expected.size());
    long ttl = date.plusDays(91).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
    expected.forEach((product, e) -> {
      Map<String, AttributeValue> item = items.get("p:feat:" + product);
      assertThat(item).as(product).isNotNull();
      for (String w : List.of("1d", "7d", "30d")) {
        assertThat(Long.parseLong(item.get("views_" + w).n())).isEqualTo(e.views());
        assertThat(Long.parseLong(item.get("clicks_" + w).n())).isEqualTo(e.clicks());
        assertThat(Long.parseLong(item.get("add_to_carts_" + w).n())).isEqualTo(e.addToCarts());
        assertThat(Long.parseLong(item.get("purchases_" + w).n())).isEqualTo(e.purchases());
        assertThat(Long.parseLong(item.get("distinct_users_" + w).n())).isEqualTo(e.distinctUsers());
        assertThat(new BigDecimal(item.get("revenue_" + w).n())).isEqualByComparingTo(e.revenue());
      }
      assertThat(item.get("as_of").s()).isEqualTo(date.toString());
      assertThat(item.get("run_id").s()).isEqualTo("daily-" + date);
      assertThat(Long.parseLong(item.get("ttl").n())).isEqualTo(ttl);
      assertThat(item).as("product_stats has no vector").hasSize(6 * 3 + 5);
    });
    Map<String, AttributeValue> meta = stack.metaItem();
    assertThat(meta.get("row_count").n()).isEqualTo(Integer.toString(expected.size()));
    var metaJson = Json.mapper().valueToTree(Json.read(meta.get("meta").s().getBytes(StandardCharsets.UTF_8), Map.class));
    List<String> names = new java.util.ArrayList<>();
    metaJson.get("features").forEach(f -> names.add(f.get("name").asText()));
    List<String> expectedNames = new java.util.ArrayList<>();
    for (String f : List.of("views", "clicks", "add_to_carts", "purchases", "distinct_users", "revenue")) {
      for (String w : List.of("1d", "7d", "30d")) {
        expectedNames.add(f + "_" + w);
      }
    }
    assertThat(names).isEqualTo(expectedNames);
    assertThat(metaJson.get("key_prefix").asText()).isEqualTo("p:feat:");
    assertThat(metaJson.get("features").get(15).get("type").asText()).isEqualTo("decimal(38, 2)");
  }

  private static ExpectedProductStats silverStats(Record r, String window) {
    return new ExpectedProductStats((Long) r.getField("views_" + window), (Long) r.getField("clicks_" + window),
        (Long) r.getField("add_to_carts_" + window), (Long) r.getField("purchases_" + window),
        (Long) r.getField("distinct_users_" + window), (BigDecimal) r.getField("revenue_" + window));
  }

  @Test
  @Order(2)
  void badLinesAreQuarantinedWithTheirReasonAndLineAndCountedInTheRunRecord() {
    LocalDate date = LocalDate.of(2026, 3, 21);
    ClickstreamGenerator.Dataset data = stack.upload(8, date, 3_000, 3, 24);

    ExecutionResult result = stack.runDaily(date, Map.of());
    assertThat(result.status()).isEqualTo("SUCCEEDED");

    Map<String, Long> expectedReasons = data.lines().stream().filter(l -> !l.valid())
        .collect(Collectors.groupingBy(DemoLine::expectedReason, TreeMap::new, Collectors.counting()));
    RunRecord record = stack.runRecord(date);
    assertThat(record.sources()).extracting(RunRecord.Extract::sourceId).containsExactly("clickstream");
    assertThat(record.sources().get(0).rejectReasons()).isEqualTo(expectedReasons);
    assertThat(record.sources().get(0).quarantined()).isEqualTo(24);

    // Each quarantine file line names the source line, the reason, and keeps the raw text.
    Map<String, String> quarantined = new TreeMap<>();
    for (String key : stack.lake().list(LakeLayout.quarantinePrefix("clickstream", date))) {
      for (String line : new String(stack.lake().get(key), StandardCharsets.UTF_8).split("\n")) {
        var node = Json.mapper().valueToTree(Json.read(line.getBytes(StandardCharsets.UTF_8), Map.class));
        quarantined.put(node.get("raw").asText(), node.get("reason").asText());
      }
    }
    Map<String, String> expected = data.lines().stream().filter(l -> !l.valid())
        .collect(Collectors.toMap(DemoLine::text, DemoLine::expectedReason, (a, b) -> a, TreeMap::new));
    assertThat(quarantined).isEqualTo(expected);
  }

  @Test
  @Order(3)
  void rerunOfTheSameDateGivesIdenticalFilesAndItemsAndReplacesThePartition() {
    LocalDate date = LocalDate.of(2026, 5, 22);
    stack.upload(9, date, 5_000, 4, 5);
    assertThat(stack.runDaily(date, Map.of()).status()).isEqualTo("SUCCEEDED");
    Map<String, String> bronze1 = stack.objectHashes("bronze/source_id=clickstream/dt=" + date + "/");
    Map<String, String> silver1 = stack.objectHashes("silver/product_stats/v_1/data/dt=" + date + "/");
    Map<String, String> tiles1 = stack.objectHashes("silver/product_stats/v_1_tiles/data/dt=" + date + "/");
    assertThat(tiles1).as("the date's tiles are stored").isNotEmpty();
    var items1 = stack.onlineItems(date);
    List<Record> rows1 = stack.silverRows(date);
    Snapshot snapshot1 = stack.silverTable().currentSnapshot();

    assertThat(stack.runDaily(date, Map.of(), true).status()).isEqualTo("SUCCEEDED");

    assertThat(stack.objectHashes("bronze/source_id=clickstream/dt=" + date + "/")).isEqualTo(bronze1);
    assertThat(stack.objectHashes("silver/product_stats/v_1/data/dt=" + date + "/")).isEqualTo(silver1);
    assertThat(stack.objectHashes("silver/product_stats/v_1_tiles/data/dt=" + date + "/")).isEqualTo(tiles1);
    assertThat(stack.onlineItems(date)).isEqualTo(items1);
    Snapshot snapshot2 = stack.silverTable().currentSnapshot();
    assertThat(snapshot2.snapshotId()).isNotEqualTo(snapshot1.snapshotId());
    assertThat(snapshot2.summary()).containsEntry("featurepipe.run-id", "daily-" + date);
    assertThat(stack.silverRows(date)).as("no duplicate rows after a rerun").hasSameSizeAs(rows1)
        .containsExactlyInAnyOrderElementsOf(rows1);
  }

  @Test
  @Order(4)
  void rerunWithUnchangedInputsIsANoOpUnlessForcedAndChangedInputsAreRecomputed() {
    LocalDate date = LocalDate.of(2026, 7, 19);
    stack.upload(11, date, 2_000, 2, 0);
    ExecutionResult first = stack.runDaily(date, Map.of());
    assertThat(first.status()).isEqualTo("SUCCEEDED");
    long snapshot = stack.silverTable().currentSnapshot().snapshotId();
    RunRecord record = stack.runRecord(date);

    ExecutionResult again = stack.runDaily(date, Map.of("shards", 3));

    assertThat(again.status()).isEqualTo("SUCCEEDED");
    assertThat(again.output().get("skip").asBoolean()).isTrue();
    assertThat(again.output().get("inputFingerprint").asText()).isEqualTo(record.inputFingerprint());
    stack.silverTable().refresh();
    assertThat(stack.silverTable().currentSnapshot().snapshotId()).isEqualTo(snapshot);
    assertThat(stack.runRecord(date)).isEqualTo(record);

    stack.upload(12, date, 2_000, 2, 0); // the source re-delivers the day with other content
    ExecutionResult changed = stack.runDaily(date, Map.of());
    assertThat(changed.status()).isEqualTo("SUCCEEDED");
    assertThat(changed.output().has("skip")).as("a full run's output is the run summary").isFalse();
    assertThat(stack.runRecord(date).inputFingerprint()).isNotEqualTo(record.inputFingerprint());
    assertThat(stack.runRecord(date).combinedSha256()).isNotEqualTo(record.combinedSha256());
  }

  @Test
  @Order(5)
  void anyFanOutGivesByteIdenticalOutputs() {
    LocalDate date = LocalDate.of(2026, 9, 23);
    stack.upload(10, date, 8_000, 6, 6);
    assertThat(stack.runDaily(date, Map.of("chunksPerExtract", 1, "extractConcurrency", 1, "shards", 1)).status())
        .isEqualTo("SUCCEEDED");
    RunRecord one = stack.runRecord(date);
    var items1 = stack.onlineItems(date);

    assertThat(stack.runDaily(date, Map.of("chunksPerExtract", 4, "extractConcurrency", 3, "shards", 7,
        "transformConcurrency", 3, "loadConcurrency", 2), true).status()).isEqualTo("SUCCEEDED");
    RunRecord seven = stack.runRecord(date);

    assertThat(seven.outputs()).isEqualTo(one.outputs());
    assertThat(seven.combinedSha256()).isEqualTo(one.combinedSha256());
    assertThat(stack.onlineItems(date)).isEqualTo(items1);
    // And the recorded digests are the objects' real bytes, re-hashed here after download.
    Map<String, String> recorded = seven.outputs().stream()
        .collect(Collectors.toMap(RunRecord.Output::key, RunRecord.Output::sha256, (a, b) -> a, TreeMap::new));
    Map<String, String> actual = new TreeMap<>();
    actual.putAll(stack.objectHashes("bronze/source_id=clickstream/dt=" + date + "/part-"));
    actual.putAll(stack.objectHashes("silver/product_stats/v_1/data/dt=" + date + "/"));
    actual.putAll(stack.objectHashes("silver/product_stats/v_1_tiles/data/dt=" + date + "/"));
    assertThat(actual).isEqualTo(recorded);
  }
}
