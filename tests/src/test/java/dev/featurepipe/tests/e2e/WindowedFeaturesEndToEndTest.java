package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.PartitionManifest;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.RepoRoot;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import org.apache.iceberg.data.Record;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two consecutive dates through the daily workflow: the second date's 1, 7 and 30-day windows merge
 * the first date's stored tiles, and match DuckDB SQL over the Bronze Parquet of both dates.
 */
class WindowedFeaturesEndToEndTest {

  private static final String[] FEATURES = {"views", "clicks", "add_to_carts", "purchases", "distinct_users", "revenue"};

  @Test
  void secondDateWindowsMergeTheFirstDatesTilesAndMatchDuckDbOverBothBronzePartitions(@TempDir Path tempDir)
      throws Exception {
    LocalDate d1 = LocalDate.of(2026, 6, 10);
    LocalDate d2 = d1.plusDays(1);
    Path downloads = Files.createDirectories(tempDir.resolve("downloads"));
    List<String> bronzeFiles = new ArrayList<>();
    Map<String, Record> silver = new TreeMap<>();
    try (LocalStackFixture stack = new LocalStackFixture(tempDir.resolve("stack"))) {
      stack.upload(71, d1, 4_000, 2, 3);
      stack.upload(72, d2, 3_000, 3, 2);
      assertThat(stack.runDaily(d1, Map.of("shards", 4)).status()).isEqualTo("SUCCEEDED");
      assertThat(stack.runDaily(d2, Map.of("shards", 4)).status()).isEqualTo("SUCCEEDED");
      for (LocalDate d : List.of(d1, d2)) {
        PartitionManifest m = stack.lake().getJson(LakeLayout.bronzeManifest("clickstream", d), PartitionManifest.class);
        for (FileEntry f : m.files()) {
          Path file = downloads.resolve(f.key());
          Files.createDirectories(file.getParent());
          Files.write(file, stack.lake().get(f.key()));
          bronzeFiles.add("'" + file + "'");
        }
      }
      for (Record r : stack.silverRows(d2)) {
        silver.put((String) r.getField("product_id"), r);
      }
      Map<String, String> features4 = stack.objectHashes("silver/product_stats/v_1/data/dt=" + d2 + "/");
      Map<String, String> tiles4 = stack.objectHashes("silver/product_stats/v_1_tiles/data/dt=" + d2 + "/");
      var items4 = stack.onlineItems(d2);

      // The same date again with one shard instead of four: the same files, byte for byte.
      assertThat(stack.runDaily(d2, Map.of("shards", 1), true).status()).isEqualTo("SUCCEEDED");
      assertThat(stack.objectHashes("silver/product_stats/v_1/data/dt=" + d2 + "/")).isEqualTo(features4)
          .hasSizeGreaterThan(1);
      assertThat(stack.objectHashes("silver/product_stats/v_1_tiles/data/dt=" + d2 + "/")).isEqualTo(tiles4)
          .hasSizeGreaterThan(1);
      assertThat(stack.onlineItems(d2)).isEqualTo(items4).hasSameSizeAs(silver);
    }

    Map<String, List<Object>> expected = new TreeMap<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement()) {
      // A replayed event (same product and event id) counts once, as the feature spec's dedupe_by says:
      // the first copy by event time, then every column in Bronze order, nulls first.
      StringBuilder sql = new StringBuilder("WITH e AS (SELECT * FROM read_parquet([" + String.join(", ", bronzeFiles)
          + "]) QUALIFY row_number() OVER (PARTITION BY product_id, event_id ORDER BY event_time, event_id,"
          + " user_id, product_id, event_type, price NULLS FIRST, quantity NULLS FIRST, session_id NULLS FIRST,"
          + " _source_line) = 1)"
          + " SELECT product_id");
      for (String w : new String[] {"1d", "7d", "30d"}) {
        // Both dates lie in the 7 and 30-day windows of the second; only it in the 1-day one.
        String in = w.equals("1d") ? "event_time >= TIMESTAMPTZ '" + d2 + " 00:00:00+00'" : "true";
        sql.append(", count(*) FILTER (WHERE event_type = 'view' AND ").append(in).append(")")
            .append(", count(*) FILTER (WHERE event_type = 'click' AND ").append(in).append(")")
            .append(", count(*) FILTER (WHERE event_type = 'add_to_cart' AND ").append(in).append(")")
            .append(", count(*) FILTER (WHERE event_type = 'purchase' AND ").append(in).append(")")
            .append(", count(DISTINCT user_id) FILTER (WHERE ").append(in).append(")")
            .append(", coalesce(sum(price * quantity) FILTER (WHERE event_type = 'purchase' AND ").append(in)
            .append("), 0)");
      }
      sql.append(" FROM e GROUP BY product_id");
      try (ResultSet rs = st.executeQuery(sql.toString())) {
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int w = 0; w < 3; w++) {
            for (int f = 0; f < 5; f++) {
              row.add(rs.getLong(2 + 6 * w + f));
            }
            row.add(rs.getBigDecimal(2 + 6 * w + 5).setScale(2));
          }
          expected.put(rs.getString(1), row);
        }
      }
    }

    Map<String, List<Object>> actual = new TreeMap<>();
    silver.forEach((product, r) -> {
      List<Object> row = new ArrayList<>();
      for (String w : new String[] {"1d", "7d", "30d"}) {
        for (String f : FEATURES) {
          Object v = r.getField(f + "_" + w);
          row.add(v instanceof BigDecimal d ? d.setScale(2) : v);
        }
      }
      actual.put(product, row);
    });
    assertThat(actual).isEqualTo(expected);
    assertThat(expected.values()).as("some products were seen only on the first date: all-zero 1-day window")
        .anyMatch(row -> row.get(0).equals(0L) && row.get(4).equals(0L) && !row.get(10).equals(0L));
    assertThat(expected.values()).as("and the 7-day window of some adds both dates")
        .anyMatch(row -> (Long) row.get(6) > (Long) row.get(0) && (Long) row.get(0) > 0);
  }

  @Test
  void rerunningAnEarlierDateWithChangedInputMakesTheNextUnforcedRunOfALaterDateRecompute(@TempDir Path tempDir) {
    LocalDate d1 = LocalDate.of(2026, 9, 1);
    LocalDate d2 = d1.plusDays(1);
    try (LocalStackFixture stack = new LocalStackFixture(tempDir)) {
      stack.upload(91, d1, 1_500, 1, 0);
      stack.upload(92, d2, 1_500, 1, 0);
      assertThat(stack.runDaily(d1, Map.of()).status()).isEqualTo("SUCCEEDED");
      assertThat(stack.runDaily(d2, Map.of()).status()).isEqualTo("SUCCEEDED");
      String before = stack.runRecord(d2).combinedSha256();
      assertThat(stack.runDaily(d2, Map.of()).output().path("skip").asBoolean())
          .as("nothing changed yet: the rerun is skipped").isTrue();

      stack.upload(93, d1, 1_500, 1, 0); // the source re-delivers the first day with other content
      assertThat(stack.runDaily(d1, Map.of()).output().has("skip")).isFalse();
      ExecutionResult later = stack.runDaily(d2, Map.of());

      assertThat(later.status()).isEqualTo("SUCCEEDED");
      assertThat(later.output().has("skip")).as("d2's own sources did not change, but the d1 tiles its windows merge did")
          .isFalse();
      assertThat(stack.runRecord(d2).combinedSha256()).isNotEqualTo(before);
      assertThat(stack.runDaily(d2, Map.of()).output().path("skip").asBoolean()).as("and then it is settled").isTrue();
    }
  }

  @Test
  void anEditedPublishedVersionIsRefusedAtPlanNamingTheChangedFieldsAndKeepsTheServedFeatures(
      @TempDir Path tempDir) throws Exception {
    LocalDate date = LocalDate.of(2026, 8, 3);
    long snapshot;
    Map<String, Map<String, AttributeValue>> items;
    try (LocalStackFixture stack = new LocalStackFixture(tempDir)) {
      stack.upload(73, date, 1_000, 1, 0);
      assertThat(stack.runDaily(date, Map.of()).status()).isEqualTo("SUCCEEDED");
      snapshot = stack.silverTable().currentSnapshot().snapshotId();
      items = stack.onlineItems(date);
    }
    String yaml = Files.readString(RepoRoot.locate().resolve("config/pipeline.yaml"));
    UnaryOperator<String> addWindow = y -> replaceOnce(y, "windows: [1d, 7d, 30d]", "windows: [1d, 7d, 30d, 90d]");
    // Same columns, other meaning: a schema check alone would let this change a published feature.
    UnaryOperator<String> widenFilter = y -> replaceOnce(y,
        "{name: views, agg: count, where: {column: event_type, in: [view]}}",
        "{name: views, agg: count, where: {column: event_type, in: [view, click]}}");
    Map<UnaryOperator<String>, String> refused = new java.util.LinkedHashMap<>();
    refused.put(addWindow, "feature_groups[product_stats].windows: published [\"1d\",\"7d\",\"30d\"], config now "
        + "[\"1d\",\"7d\",\"30d\",\"90d\"]");
    refused.put(widenFilter, "feature_groups[product_stats].features[0].where.in: published [\"view\"], config now "
        + "[\"view\",\"click\"]");
    for (Map.Entry<UnaryOperator<String>, String> edit : refused.entrySet()) {
      LoadedConfig edited = ConfigLoader.load(edit.getKey().apply(yaml).getBytes(StandardCharsets.UTF_8), "edited.yaml");
      try (LocalStackFixture stack = new LocalStackFixture(tempDir, edited, UnaryOperator.identity())) {
        ExecutionResult result = stack.runDaily(date, Map.of(), true);

        assertThat(result.status()).isEqualTo("FAILED");
        assertThat(result.error()).contains("dev.featurepipe.errors.ConfigInvalid");
        assertThat(dev.featurepipe.ops.Json.read(result.cause().orElseThrow().getBytes(StandardCharsets.UTF_8),
            com.fasterxml.jackson.databind.JsonNode.class).get("errorMessage").asText()).contains(edit.getValue())
            .contains("product_stats_v1 is published").contains("add the changed definition as version 2");
        assertThat(result.history()).extracting(e -> String.valueOf(e.stateName())).doesNotContain("ExtractAll", "Extract");
        stack.silverTable().refresh();
        assertThat(stack.silverTable().currentSnapshot().snapshotId()).isEqualTo(snapshot);
        assertThat(stack.onlineItems(date)).isEqualTo(items).isNotEmpty();
      }
    }
    // The online TTL is the one field a published version may change: it moves no Silver byte.
    LoadedConfig ttl = ConfigLoader.load(replaceOnce(yaml, "online_ttl_days: 90", "online_ttl_days: 30")
        .getBytes(StandardCharsets.UTF_8), "ttl.yaml");
    try (LocalStackFixture stack = new LocalStackFixture(tempDir, ttl, UnaryOperator.identity())) {
      assertThat(stack.runDaily(date, Map.of(), true).status()).isEqualTo("SUCCEEDED");
    }
  }

  private static String replaceOnce(String text, String from, String to) {
    assertThat(text).containsOnlyOnce(from);
    return text.replace(from, to);
  }
}
