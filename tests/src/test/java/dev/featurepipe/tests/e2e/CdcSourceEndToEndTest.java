package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.ops.Hashing;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * AWS DMS change files in the embedded S3 go through the daily workflow into Bronze: the change log
 * and the table's end-of-day state, checked against this test's own replay of the changes it wrote.
 */
class CdcSourceEndToEndTest {

  private static final String CONFIG = """
      version: 1
      sources:
        - {id: clickstream, kind: s3_jsonl, prefix: clickstream/, schema: clickstream_event_v1}
        - id: orders
          kind: cdc
          options:
            prefix: cdc/orders/
            format: dms_csv
            position_column: change_seq
            key: [id]
            fields:
              - {name: id, type: long, required: true}
              - {name: status, type: string, required: true}
              - {name: amount, type: "decimal(10,2)"}
      %s
      feature_groups:
        - {name: product_stats, version: 1, entity: product_id, source: clickstream, buckets: 4,
           PRODUCT_STATS_SPEC, online_ttl_days: 90}
      fanout: {chunks_per_extract: 2, extract_concurrency: 2, shards: 2, transform_concurrency: 2, load_concurrency: 2}
      """.replace("PRODUCT_STATS_SPEC", LocalStackFixture.PRODUCT_STATS_SPEC);

  private static final String PAYMENTS = """
        - id: payments
          kind: cdc
          options:
            prefix: cdc/payments/
            format: dms_csv
            position_column: change_seq
            expect_changes_daily: true
            key: [id]
            fields: [{name: id, type: long, required: true}]
      """;

  /** The change log columns as the test knows them (field ids of the cdc Bronze schema). */
  private static final Schema CHANGE_LOG = new Schema(
      Types.NestedField.required(1, "_op", Types.StringType.get()),
      Types.NestedField.required(2, "_position", Types.LongType.get()),
      Types.NestedField.required(5, "id", Types.LongType.get()),
      Types.NestedField.optional(6, "status", Types.StringType.get()),
      Types.NestedField.optional(7, "amount", Types.DecimalType.of(10, 2)));

  private static final Schema STATE = new Schema(
      Types.NestedField.required(2, "_position", Types.LongType.get()),
      Types.NestedField.required(5, "id", Types.LongType.get()),
      Types.NestedField.optional(6, "status", Types.StringType.get()),
      Types.NestedField.optional(7, "amount", Types.DecimalType.of(10, 2)));

  private static final LocalDate DAY1 = LocalDate.of(2026, 11, 20);
  private static final LocalDate DAY2 = DAY1.plusDays(1);
  private static final LocalDate DAY3 = DAY1.plusDays(2);

  /** One change as DMS writes it: Op, change_seq, id, status, amount. */
  record Change(String op, long position, long id, String status, String amount) {
    String csv() {
      return op + "," + position + "," + id + ",\"" + status.replace("\"", "\"\"") + "\"," + (amount == null ? "" : amount);
    }

    String logRow() {
      return op + "|" + position + "|" + id + "|" + status + "|" + (amount == null ? null : new BigDecimal(amount));
    }
  }

  /** A day's change files, by object name. */
  private static final class Day {
    final TreeMap<String, List<Change>> files = new TreeMap<>();

    List<Change> all() {
      List<Change> out = new ArrayList<>();
      files.values().forEach(out::addAll);
      return out;
    }
  }

  /** Changes at distinct positions from {@code first} on, shuffled, each put in one of {@code names} at random. */
  private static Day changes(Random random, long first, int count, int keys, List<String> names) {
    List<Long> positions = new ArrayList<>();
    for (long p = first; p < first + count; p++) {
      positions.add(p);
    }
    Collections.shuffle(positions, random);
    Day day = new Day();
    names.forEach(n -> day.files.put(n, new ArrayList<>()));
    for (long position : positions) {
      String op = List.of("I", "U", "U", "D").get(random.nextInt(4));
      String amount = random.nextInt(3) == 0 ? null
          : random.nextInt(100_000) + "." + String.format(Locale.ROOT, "%02d", random.nextInt(100));
      day.files.get(names.get(random.nextInt(names.size())))
          .add(new Change(op, position, 1 + random.nextInt(keys), "s, \"" + random.nextInt(1000) + "\"", amount));
    }
    return day;
  }

  /**
   * The oracle, written from the rule and not from the connector: per day in order, replay that
   * day's changes by position; a change below the position its key had at the end of the day
   * before is a re-delivery and is skipped; D removes, I and U upsert. Rows: [position, id, status, amount].
   */
  private static TreeMap<Long, List<Object>> replay(TreeMap<Long, List<Object>> before, List<Change> day) {
    TreeMap<Long, List<Object>> state = new TreeMap<>(before);
    List<Change> sorted = new ArrayList<>(day);
    sorted.sort((a, b) -> Long.compare(a.position(), b.position()));
    for (Change c : sorted) {
      List<Object> old = before.get(c.id());
      if (old != null && c.position() < (Long) old.get(0)) {
        continue;
      }
      if (c.op().equals("D")) {
        state.remove(c.id());
      } else {
        state.put(c.id(), Arrays.asList(c.position(), c.id(), c.status(),
            c.amount() == null ? null : new BigDecimal(c.amount())));
      }
    }
    return state;
  }

  private static void deliver(LocalStackFixture stack, String table, LocalDate date, Day day) {
    day.files.forEach((name, changes) -> {
      StringBuilder text = new StringBuilder();
      changes.forEach(c -> text.append(c.csv()).append("\r\n"));
      stack.local.clients().s3().putObject(b -> b.bucket(stack.local.context().names().sourceBucket())
          .key("cdc/" + table + "/dt=" + date + "/" + name), RequestBody.fromString(text.toString()));
    });
  }

  /** Every row of a sealed partition, read through its manifest, each file's bytes checked against it. */
  private static List<Record> rows(LocalStackFixture stack, String manifestKey, Schema projection) {
    PartitionManifest manifest = stack.lake().getJson(manifestKey, PartitionManifest.class);
    List<Record> out = new ArrayList<>();
    for (FileEntry f : manifest.files()) {
      byte[] bytes = stack.lake().get(f.key());
      assertThat(Hashing.sha256Hex(bytes)).as(f.key()).isEqualTo(f.sha256());
      out.addAll(ParquetFiles.read(bytes, projection));
    }
    return out;
  }

  private static List<String> changeLog(LocalStackFixture stack, LocalDate date) {
    List<String> out = new ArrayList<>();
    for (Record r : rows(stack, LakeLayout.bronzeManifest("orders", date), CHANGE_LOG)) {
      out.add(r.get(0) + "|" + r.get(1) + "|" + r.get(2) + "|" + r.get(3) + "|" + r.get(4));
    }
    return out;
  }

  private static List<List<Object>> state(LocalStackFixture stack, LocalDate date) {
    List<List<Object>> out = new ArrayList<>();
    for (Record r : rows(stack, LakeLayout.bronzeManifest("orders__state", date), STATE)) {
      out.add(Arrays.asList(r.get(0), r.get(1), r.get(2), r.get(3)));
    }
    return out;
  }

  private static void succeeded(ExecutionResult result) {
    assertThat(result.status()).as("%s %s", result.error(), result.cause()).isEqualTo("SUCCEEDED");
    assertThat(result.output().get("status").asText()).isEqualTo("SUCCEEDED");
  }

  private static LoadedConfig config(String extraSources) {
    return ConfigLoader.load(String.format(Locale.ROOT, CONFIG, extraSources).getBytes(StandardCharsets.UTF_8),
        "cdc.yaml");
  }

  @Test
  void changeLogAndEndOfDayStateMatchAnIndependentReplayAcrossDaysReruns(@TempDir Path tempDir) {
    Random random = new Random(20261120);
    // Day 1: a full load (inserts of keys 1..150) and two change files with interleaved positions.
    Day day1 = changes(random, 1_000, 400, 200, List.of("20261120-093000.csv", "20261120-180000.csv"));
    List<Change> load = new ArrayList<>();
    for (long id = 1; id <= 150; id++) {
      load.add(new Change("I", id, id, "loaded " + id, id + ".00"));
    }
    day1.files.put("LOAD00000001.csv", load);
    TreeMap<Long, List<Object>> state1 = replay(new TreeMap<>(), day1.all());
    // Day 2: more changes, plus re-delivered day-1 updates below their key's position (to be skipped).
    Day day2 = changes(random, 5_000, 300, 220, List.of("20261121-010000.csv", "20261121-120000.csv"));
    List<Change> redelivered = new ArrayList<>();
    state1.values().stream().limit(5).forEach(row ->
        redelivered.add(new Change("U", (Long) row.get(0) - 1, (Long) row.get(1), "stale", null)));
    day2.files.put("20261121-230000.csv", redelivered);
    TreeMap<Long, List<Object>> state2 = replay(state1, day2.all());

    try (LocalStackFixture stack = new LocalStackFixture(tempDir, config(""), UnaryOperator.identity())) {
      for (LocalDate d : List.of(DAY1, DAY2, DAY3, DAY3.plusDays(1))) {
        stack.upload(d.getDayOfMonth(), d, 500, 1, 0);
      }
      deliver(stack, "orders", DAY1, day1);
      deliver(stack, "orders", DAY2, day2);

      succeeded(stack.runDaily(DAY1, Map.of()));
      succeeded(stack.runDaily(DAY2, Map.of()));

      assertThat(changeLog(stack, DAY1)).containsExactlyInAnyOrderElementsOf(day1.all().stream().map(Change::logRow).toList());
      assertThat(changeLog(stack, DAY2)).containsExactlyInAnyOrderElementsOf(day2.all().stream().map(Change::logRow).toList());
      assertThat(state1.size()).as("the seed deletes some keys and keeps most").isBetween(100, 199);
      assertThat(state(stack, DAY1)).as("state of day 1, in key order").containsExactlyElementsOf(state1.values());
      assertThat(state(stack, DAY2)).as("state of day 2, in key order").containsExactlyElementsOf(state2.values());
      assertThat(state2.values()).noneMatch(row -> "stale".equals(row.get(2)));
      PartitionManifest manifest2 = stack.lake().getJson(LakeLayout.bronzeManifest("orders__state", DAY2),
          PartitionManifest.class);
      assertThat(manifest2.layer()).isEqualTo("bronze_state");
      assertThat(manifest2.inputs()).extracting(PartitionManifest.Input::chunkId, PartitionManifest.Input::key)
          .containsExactly(
              org.assertj.core.api.Assertions.tuple("base", LakeLayout.bronzeManifest("orders__state", DAY1)),
              org.assertj.core.api.Assertions.tuple("changes", LakeLayout.bronzeManifest("orders", DAY2)));

      // Rerunning both days recomputes everything and writes the same bytes.
      Map<String, String> changeLogBytes = stack.objectHashes("bronze/source_id=orders/");
      Map<String, String> stateBytes = stack.objectHashes("bronze/source_id=orders__state/");
      succeeded(stack.runDaily(DAY1, Map.of(), true));
      succeeded(stack.runDaily(DAY2, Map.of(), true));
      assertThat(stack.objectHashes("bronze/source_id=orders/")).isEqualTo(changeLogBytes);
      assertThat(stack.objectHashes("bronze/source_id=orders__state/")).isEqualTo(stateBytes);

      // Day 3 has no change files: the source is reachable, so an empty change log and yesterday's state.
      succeeded(stack.runDaily(DAY3, Map.of()));
      assertThat(stack.lake().getJson(LakeLayout.bronzeManifest("orders", DAY3), PartitionManifest.class).files())
          .isEmpty();
      assertThat(state(stack, DAY3)).containsExactlyElementsOf(state2.values());

      // A late file for day 2 and a rerun of day 2 change its state; day 3, whose own inputs did not
      // change, is no longer skipped but rebuilt on the new day 2.
      Day late = changes(random, 9_000, 40, 220, List.of("20261121-235900.csv"));
      deliver(stack, "orders", DAY2, late);
      TreeMap<Long, List<Object>> newState2 = replay(state1, concat(day2.all(), late.all()));
      assertThat(newState2).isNotEqualTo(state2);
      succeeded(stack.runDaily(DAY2, Map.of()));
      assertThat(state(stack, DAY2)).containsExactlyElementsOf(newState2.values());
      assertThat(state(stack, DAY3)).as("day 3 still holds the state built on the old day 2")
          .containsExactlyElementsOf(state2.values());

      ExecutionResult rebuilt = stack.runDaily(DAY3, Map.of());
      succeeded(rebuilt);
      assertThat(rebuilt.output().has("skip")).as("rebuilt because its base changed").isFalse();
      assertThat(state(stack, DAY3)).containsExactlyElementsOf(newState2.values());

      // With nothing changed since, day 3 is skipped as before.
      assertThat(stack.runDaily(DAY3, Map.of()).output().get("skip").asBoolean()).isTrue();
    }
  }

  private static List<Change> concat(List<Change> a, List<Change> b) {
    List<Change> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void aDayWhoseDayBeforeHasNoStateFailsNamingTheDatesAndAQuietTableThatMustChangeIsReportedDown(
      @TempDir Path tempDir) {
    Random random = new Random(7);
    try (LocalStackFixture stack = new LocalStackFixture(tempDir, config(PAYMENTS), UnaryOperator.identity())) {
      for (LocalDate d : List.of(DAY1, DAY3)) {
        stack.upload(d.getDayOfMonth(), d, 500, 1, 0);
        deliver(stack, "orders", d, changes(random, d.getDayOfMonth() * 1_000L, 50, 20, List.of("a.csv")));
        stack.local.clients().s3().putObject(b -> b.bucket(stack.local.context().names().sourceBucket())
            .key("cdc/payments/dt=" + d + "/a.csv"), RequestBody.fromString("I," + d.getDayOfMonth() + ",1\n"));
      }

      succeeded(stack.runDaily(DAY1, Map.of()));
      ExecutionResult gap = stack.runDaily(DAY3, Map.of());

      assertThat(gap.status()).isEqualTo("FAILED");
      assertThat(gap.cause().orElseThrow()).contains("source orders: cannot build the end-of-day state of 2026-11-22 "
          + "because 2026-11-21 has no sealed state, yet the source has sealed Bronze for 2026-11-20; state(D) is "
          + "built on state(D-1), so run the daily workflow for each date without a state up to 2026-11-21 in date "
          + "order, then rerun 2026-11-22");

      // Day 2 has no change files of either table: a quiet day for orders, an outage for payments,
      // which is configured with expect_changes_daily.
      stack.upload(DAY2.getDayOfMonth(), DAY2, 500, 1, 0);
      ExecutionResult day2 = stack.runDaily(DAY2, Map.of());
      assertThat(day2.output().get("status").asText()).isEqualTo("PARTIAL");
      assertThat(stack.runRecord(DAY2).unavailableSources()).singleElement().satisfies(u -> assertThat(u.message())
          .isEqualTo("source payments: no objects under s3://featurepipe-source/cdc/payments/dt=2026-11-21/; the "
              + "source has not delivered 2026-11-21 yet (expect_changes_daily is set)"));
      assertThat(state(stack, DAY2)).as("orders had a quiet day: its state is day 1's")
          .isEqualTo(state(stack, DAY1));
    }
  }

  private static final String JOIN_CONFIG = """
      version: 1
      sources:
        - {id: clickstream, kind: s3_jsonl, prefix: clickstream/, schema: clickstream_event_v1}
        - id: catalog
          kind: cdc
          options:
            prefix: cdc/catalog/
            format: dms_csv
            position_column: change_seq
            key: [product_id]
            fields:
              - {name: product_id, type: string, required: true}
              - {name: category, type: string}
      feature_groups:
        - {name: category_views, version: 1, entity: user_id, source: clickstream, buckets: 4, online_ttl_days: 90,
           event_time: event_time, dedupe_by: event_id, windows: [1d],
           joins: [{source: catalog, key: product_id, columns: [category]}],
           features: [{name: top_categories, agg: top_k, column: category, k: 3}]}
      fanout: {chunks_per_extract: 2, extract_concurrency: 2, transform_concurrency: 2, load_concurrency: 2}
      """;

  private static String view(String id, LocalDate day, String user, String product) {
    return "{\"event_id\":\"" + id + "\",\"event_time\":\"" + day + "T12:00:00Z\",\"user_id\":\"" + user
        + "\",\"product_id\":\"" + product + "\",\"event_type\":\"view\",\"quantity\":1}\n";
  }

  /**
   * A group joining a CDC table joins the table as of the end of the day (its {@code __state}
   * partition), not the day's change log: prod-B changed only on day 1, and day 2's views of it
   * still get its category.
   */
  @Test
  void aGroupJoiningACdcSourceJoinsItsEndOfDayStateNotTheDaysChanges(@TempDir Path tempDir) {
    LoadedConfig config = ConfigLoader.load(JOIN_CONFIG.getBytes(StandardCharsets.UTF_8), "cdc-join.yaml");
    try (LocalStackFixture stack = new LocalStackFixture(tempDir, config, UnaryOperator.identity())) {
      var s3 = stack.local.clients().s3();
      String sourceBucket = stack.local.context().names().sourceBucket();
      s3.putObject(b -> b.bucket(sourceBucket).key("cdc/catalog/dt=" + DAY1 + "/a.csv"),
          RequestBody.fromString("I,1,prod-A,books\r\nI,2,prod-B,garden\r\n"));
      s3.putObject(b -> b.bucket(sourceBucket).key("cdc/catalog/dt=" + DAY2 + "/a.csv"),
          RequestBody.fromString("U,3,prod-A,toys\r\n"));
      stack.putSourceObject("clickstream/dt=" + DAY1 + "/a.jsonl",
          view("e1", DAY1, "user-1", "prod-A").getBytes(StandardCharsets.UTF_8));
      stack.putSourceObject("clickstream/dt=" + DAY2 + "/a.jsonl", (view("e2", DAY2, "user-2", "prod-A")
          + view("e3", DAY2, "user-2", "prod-A") + view("e4", DAY2, "user-2", "prod-B")).getBytes(StandardCharsets.UTF_8));

      succeeded(stack.runDaily(DAY1, Map.of()));
      succeeded(stack.runDaily(DAY2, Map.of()));

      Map<String, String> top = new TreeMap<>();
      for (Record r : stack.silverRows("category_views_v1", DAY2)) {
        top.put((String) r.getField("user_id"), String.valueOf(r.getField("top_categories_1d")));
      }
      assertThat(top.get("user-2")).contains("toys").contains("garden").doesNotContain("books");
      assertThat(top.get("user-2").indexOf("toys")).as("toys (2 views) ranks before garden (1)")
          .isLessThan(top.get("user-2").indexOf("garden"));
    }
  }
}
