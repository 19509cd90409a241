package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.gold.TrainingManifest;
import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import java.nio.charset.StandardCharsets;
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
import java.util.TreeSet;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily workflow over three dates makes real Silver (product_stats_v1), then the training state
 * machine builds a training set from it through the local Step Functions runner; DuckDB's ASOF JOIN
 * over the snapshot's data files computes the same set independently.
 */
class TrainingSetEndToEndTest {

  @Test
  void trainingSetFromThreeDailyRunsMatchesDuckDbAsofJoinAndRebuildsByteForByte(@TempDir Path tempDir)
      throws Exception {
    LocalDate d1 = LocalDate.of(2026, 6, 10);
    List<LocalDate> dates = List.of(d1, d1.plusDays(1), d1.plusDays(2));
    try (LocalStackFixture stack = new LocalStackFixture(tempDir.resolve("stack"))) {
      for (int i = 0; i < dates.size(); i++) {
        stack.upload(90 + i, dates.get(i), 3_000 - 700 * i, 2, 1);
        assertThat(stack.runDaily(dates.get(i), Map.of()).status()).isEqualTo("SUCCEEDED");
      }
      TreeSet<String> products = new TreeSet<>();
      for (LocalDate d : dates) {
        stack.silverRows(d).forEach(r -> products.add((String) r.getField("product_id")));
      }
      products.add("prod-unknown");
      // Times around every day boundary the three dates make, before the first and after the last.
      List<String> times = List.of("2026-06-10T00:00:00Z", "2026-06-11T00:00:00Z", "2026-06-11T13:00:00Z",
          "2026-06-12T23:59:59Z", "2026-06-13T00:00:00Z", "2026-06-13T05:00:00+06:00", "2026-06-14T00:00:01Z");
      StringBuilder csv = new StringBuilder("product_id,ts,y\n");
      int n = 0;
      for (String p : products) {
        for (String t : times) {
          csv.append(p).append(',').append(t).append(',').append(Math.floorMod((p + t).hashCode(), 3) * 0.5)
              .append('\n');
          n++;
        }
      }
      csv.append("prod-00001,,1.0\n"); // quarantined: no label time
      stack.lake().put("labels/e2e/labels.csv", csv.toString().getBytes(StandardCharsets.UTF_8), 0, "text/csv");

      ObjectNode input = Json.mapper().createObjectNode().put("modelVersion", "ctr-2026.06");
      input.putObject("labels").put("uri", "s3://" + stack.lake().bucket() + "/labels/e2e/labels.csv")
          .put("timeColumn", "ts").put("labelColumn", "y").put("labelType", "double");
      input.putArray("groups").add(LocalStackFixture.GROUP);
      input.put("rowsPerPart", 400);
      ExecutionResult result = stack.local.run(LocalPipeline.TRAINING, "e2e-train-1", input);
      assertThat(result.status()).as(result.cause().orElse("")).isEqualTo("SUCCEEDED");
      TrainingManifest m = stack.lake().getJson(result.output().get("manifest").get("key").asText(),
          TrainingManifest.class);
      assertThat(m.rows()).isEqualTo(n);
      assertThat(m.labels().quarantined()).isEqualTo(1);
      assertThat(m.labels().rejectReasons()).containsExactly(Map.entry("null_label_time", 1L));
      assertThat(m.files()).hasSize((n + 399) / 400);
      Table silver = stack.silverTable();
      assertThat(m.groups().get(0).snapshotId()).isEqualTo(silver.currentSnapshot().snapshotId());
      assertThat(m.groups().get(0).snapshotRunId()).isEqualTo("daily-" + dates.get(2));
      assertThat(m.labels().sha256()).isEqualTo(Hashing.sha256Hex(csv.toString().getBytes(StandardCharsets.UTF_8)));

      Path silverDir = Files.createDirectories(tempDir.resolve("silver"));
      int i = 0;
      try (CloseableIterable<FileScanTask> tasks =
          silver.newScan().useSnapshot(m.groups().get(0).snapshotId()).planFiles()) {
        for (FileScanTask t : tasks) {
          String key = t.file().location().substring(("s3://" + stack.lake().bucket() + "/").length());
          Files.write(silverDir.resolve("f" + i++ + ".parquet"), stack.lake().get(key));
        }
      }
      Path goldDir = Files.createDirectories(tempDir.resolve("gold"));
      for (int f = 0; f < m.files().size(); f++) {
        Files.write(goldDir.resolve("part-" + f + ".parquet"), stack.lake().get(m.files().get(f).key()));
      }
      Path labels = tempDir.resolve("labels.csv");
      Files.writeString(labels, csv.toString().replace("prod-00001,,1.0\n", ""));

      List<String> features = m.groups().get(0).features();
      StringBuilder oracle = new StringBuilder("SELECT l.product_id, epoch_us(l.ts) AS t_us, l.y, l.fd");
      StringBuilder gold = new StringBuilder("SELECT product_id, epoch_us(ts) AS t_us, y, feature_date");
      for (String f : features) {
        oracle.append(", CASE WHEN s.dt = l.fd THEN s.").append(f).append(" END AS ").append(f);
        gold.append(", product_stats_v1__").append(f).append(" AS ").append(f);
      }
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
        s.execute("SET TimeZone = 'UTC'");
        s.execute("CREATE TABLE l AS SELECT product_id, CAST(ts AS TIMESTAMPTZ) AS ts, y,"
            + " CAST(CAST(ts AS TIMESTAMPTZ) AS DATE) - 1 AS fd FROM read_csv('" + labels + "', header = true,"
            + " columns = {product_id: 'VARCHAR', ts: 'VARCHAR', y: 'DOUBLE'})");
        s.execute("CREATE TABLE silver AS SELECT *, CAST(CAST(dt AS TIMESTAMP) + INTERVAL 1 DAY AS TIMESTAMPTZ)"
            + " AS complete_at FROM read_parquet('" + silverDir + "/*.parquet')");
        s.execute("CREATE TABLE o AS " + oracle + " FROM l ASOF LEFT JOIN silver s ON l.product_id = s.product_id"
            + " AND l.ts >= s.complete_at");
        s.execute("CREATE TABLE g AS " + gold + " FROM read_parquet('" + goldDir + "/*.parquet')");
        assertThat(count(s, "SELECT count(*) FROM g")).isEqualTo(n);
        assertThat(count(s, "SELECT count(*) FROM (SELECT * FROM g EXCEPT ALL SELECT * FROM o)"))
            .as(text(s, "SELECT string_agg(CAST(x AS VARCHAR), '\n') FROM (SELECT * FROM (SELECT * FROM g EXCEPT ALL"
                + " SELECT * FROM o) LIMIT 3) x") + "\n---\n" + text(s, "SELECT string_agg(CAST(x AS VARCHAR), '\n')"
                + " FROM (SELECT * FROM (SELECT * FROM o EXCEPT ALL SELECT * FROM g) LIMIT 3) x")).isZero();
        assertThat(count(s, "SELECT count(*) FROM (SELECT * FROM o EXCEPT ALL SELECT * FROM g)")).isZero();
        // Every feature date the labels ask for occurs; those with Silver rows are found, the rest are null.
        assertThat(count(s, "SELECT count(DISTINCT feature_date) FROM g")).isEqualTo(5);
        assertThat(count(s, "SELECT count(*) FROM g WHERE views_1d IS NOT NULL AND feature_date = DATE '2026-06-12'"))
            .isPositive();
        assertThat(count(s, "SELECT count(*) FROM g WHERE views_1d IS NOT NULL AND feature_date IN"
            + " (DATE '2026-06-09', DATE '2026-06-13')")).as(text(s, "SELECT string_agg(DISTINCT CAST(dt AS VARCHAR), ' ')"
            + " FROM silver") + " / " + text(s, "SELECT string_agg(DISTINCT CAST(feature_date AS VARCHAR) || ':' || "
            + "CAST(t_us AS VARCHAR), ' ') FROM g WHERE views_1d IS NOT NULL")).isZero();
        assertThat(count(s, "SELECT count(*) FROM g WHERE views_1d IS NOT NULL AND product_id = 'prod-unknown'"))
            .isZero();
      }

      // Rebuilt under another run id at the pinned snapshot: the same bytes.
      input.put("runId", "e2e-rebuild");
      input.putObject("snapshotIds").put(LocalStackFixture.GROUP, m.groups().get(0).snapshotId());
      input.put("rowsPerPart", 400).put("partConcurrency", 1);
      ExecutionResult again = stack.local.run(LocalPipeline.TRAINING, "e2e-train-2", input);
      assertThat(again.status()).as(again.cause().orElse("")).isEqualTo("SUCCEEDED");
      TrainingManifest m2 = stack.lake().getJson(again.output().get("manifest").get("key").asText(),
          TrainingManifest.class);
      List<String> first = new ArrayList<>();
      List<String> second = new ArrayList<>();
      m.files().forEach(f -> first.add(Hashing.sha256Hex(stack.lake().get(f.key()))));
      m2.files().forEach(f -> second.add(Hashing.sha256Hex(stack.lake().get(f.key()))));
      assertThat(second).isEqualTo(first);
      assertThat(m2.files().get(0).key()).startsWith("gold/model_version=ctr-2026.06/run_id=e2e-rebuild/part-00000-");
    }
  }

  private static String text(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long count(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
