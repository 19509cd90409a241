package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.lineage.RunRecord;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A real PostgreSQL table beside the clickstream, through the same workflow into its own Bronze partition. */
class JdbcSourceEndToEndTest {

  @Test
  void aDatabaseTableIsExtractedInKeyRangeChunksIntoBronzeExactlyOnce(@TempDir Path tempDir) throws Exception {
    LocalDate date = LocalDate.of(2026, 11, 17);
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE users (user_id bigint PRIMARY KEY, email text NOT NULL, country text, "
            + "ltv numeric(12,2), signed_up timestamptz NOT NULL)");
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO users VALUES (?, ?, ?, ?, ?)")) {
          for (int i = 0; i < 5_000; i++) {
            insert.setLong(1, 10L * i + 3); // gaps between keys, as real tables have
            insert.setString(2, (i % 50 == 0 ? "ünïcødé+" : "user") + i + "@example.com");
            insert.setString(3, i % 7 == 0 ? null : List.of("DE", "FR", "JP", "BR").get(i % 4));
            insert.setBigDecimal(4, i % 11 == 0 ? null : BigDecimal.valueOf(i * 1234L % 1_000_000, 2));
            insert.setObject(5, OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).plusMinutes(i * 37L));
            insert.addBatch();
          }
          insert.executeBatch();
        }
      }
      Path secret = tempDir.resolve("users-db.json");
      Files.writeString(secret, "{\"username\": \"postgres\", \"password\": \"local-trust-auth\"}");
      String yaml = """
          version: 1
          sources:
            - {id: clickstream, kind: s3_jsonl, prefix: clickstream/, schema: clickstream_event_v1}
            - id: users
              kind: jdbc
              options:
                url: jdbc:postgresql://localhost:%d/postgres
                credentials: file:%s
                table: users
                key_column: user_id
                chunk_rows: 1000
                columns:
                  - {name: user_id, type: long}
                  - {name: email, type: string, required: true}
                  - {name: country, type: string}
                  - {name: ltv, type: "decimal(12,2)"}
                  - {name: signed_up, type: timestamptz, required: true}
          feature_groups:
            - {name: product_stats, version: 1, entity: product_id, source: clickstream, buckets: 4,
               PRODUCT_STATS_SPEC, online_ttl_days: 90}
          fanout: {chunks_per_extract: 2, extract_concurrency: 2, shards: 2, transform_concurrency: 2, load_concurrency: 2}
          """.formatted(pg.getPort(), secret).replace("PRODUCT_STATS_SPEC", LocalStackFixture.PRODUCT_STATS_SPEC);
      LoadedConfig config = ConfigLoader.load(yaml.getBytes(StandardCharsets.UTF_8), "jdbc.yaml");
      try (LocalStackFixture stack = new LocalStackFixture(tempDir.resolve("stack"), config, UnaryOperator.identity())) {
        stack.upload(51, date, 2_000, 2, 0);

        ExecutionResult result = stack.runDaily(date, Map.of());

        assertThat(result.status()).as("%s %s", result.error(), result.cause()).isEqualTo("SUCCEEDED");
        RunRecord record = stack.runRecord(date);
        assertThat(record.sources()).extracting(RunRecord.Extract::sourceId).containsExactly("clickstream", "users");
        PartitionManifest users = stack.lake().getJson(LakeLayout.bronzeManifest("users", date), PartitionManifest.class);
        assertThat(users.files()).hasSizeGreaterThan(1).as("several key-range chunks");
        assertThat(users.rows()).isEqualTo(5_000);

        Schema schema = new Schema(
            Types.NestedField.required(1, "user_id", Types.LongType.get()),
            Types.NestedField.required(2, "email", Types.StringType.get()),
            Types.NestedField.optional(3, "country", Types.StringType.get()),
            Types.NestedField.optional(4, "ltv", Types.DecimalType.of(12, 2)),
            Types.NestedField.required(5, "signed_up", Types.TimestampType.withZone()));
        List<String> bronze = new ArrayList<>();
        for (FileEntry f : users.files()) {
          for (Record r : ParquetFiles.read(stack.lake().get(f.key()), schema)) {
            bronze.add(r.get(0) + "|" + r.get(1) + "|" + r.get(2) + "|" + r.get(3) + "|"
                + ((OffsetDateTime) r.get(4)).toInstant());
          }
        }
        List<String> table = new ArrayList<>();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT user_id, email, country, ltv, signed_up FROM users ORDER BY user_id")) {
          while (rs.next()) {
            table.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getBigDecimal(4) + "|"
                + rs.getObject(5, OffsetDateTime.class).toInstant());
          }
        }
        assertThat(bronze).as("every row exactly once, values exact").containsExactlyInAnyOrderElementsOf(table);
      }
    }
  }

  /**
   * An incremental source through the workflow with its windows in the control table (dynalite):
   * a rerun of an earlier date, forced or not, re-seals that date's Bronze partition with the rows
   * of its first window, byte for byte, and leaves the later date's partition as it was.
   */
  @Test
  void rerunOfAnEarlierDateReadsItsFirstWatermarkWindowAgainAndLeavesTheLaterDateAlone(@TempDir Path tempDir)
      throws Exception {
    LocalDate d1 = LocalDate.of(2026, 11, 17);
    LocalDate d2 = d1.plusDays(1);
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      sql(pg, "CREATE TABLE orders (order_id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, "
          + "updated_at timestamptz NOT NULL)");
      try (Connection c = pg.getPostgresDatabase().getConnection();
          PreparedStatement insert = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?)")) {
        for (int i = 0; i < 1_200; i++) {
          insert.setLong(1, 7L * i + 1);
          insert.setBigDecimal(2, BigDecimal.valueOf(i * 991L % 100_000, 2));
          // One order every 71 s from midnight of d1: all within d1.
          insert.setObject(3, d1.atStartOfDay().atOffset(ZoneOffset.UTC).plusSeconds(71L * i));
          insert.addBatch();
        }
        insert.executeBatch();
      }
      String d1Bounds = "updated_at >= '2026-11-17T00:00Z' AND updated_at < '2026-11-18T00:00Z'";
      List<String> d1Expected = orders(pg, d1Bounds);
      Path secret = tempDir.resolve("orders-db.json");
      Files.writeString(secret, "{\"username\": \"postgres\", \"password\": \"local-trust-auth\"}");
      String yaml = """
          version: 1
          sources:
            - {id: clickstream, kind: s3_jsonl, prefix: clickstream/, schema: clickstream_event_v1}
            - id: orders
              kind: jdbc
              options:
                url: jdbc:postgresql://localhost:%d/postgres
                credentials: file:%s
                table: orders
                key_column: order_id
                watermark_column: updated_at
                chunk_rows: 500
                columns:
                  - {name: order_id, type: long}
                  - {name: amount, type: "decimal(12,2)", required: true}
                  - {name: updated_at, type: timestamptz, required: true}
          feature_groups:
            - {name: product_stats, version: 1, entity: product_id, source: clickstream, buckets: 4,
               PRODUCT_STATS_SPEC, online_ttl_days: 90}
          fanout: {chunks_per_extract: 2, extract_concurrency: 2, shards: 2, transform_concurrency: 2, load_concurrency: 2}
          """.formatted(pg.getPort(), secret).replace("PRODUCT_STATS_SPEC", LocalStackFixture.PRODUCT_STATS_SPEC);
      LoadedConfig config = ConfigLoader.load(yaml.getBytes(StandardCharsets.UTF_8), "jdbc-incremental.yaml");
      try (LocalStackFixture stack = new LocalStackFixture(tempDir.resolve("stack"), config, UnaryOperator.identity())) {
        stack.upload(52, d1, 500, 1, 0);
        stack.upload(53, d2, 500, 1, 0);
        Schema schema = new Schema(
            Types.NestedField.required(1, "order_id", Types.LongType.get()),
            Types.NestedField.required(2, "amount", Types.DecimalType.of(12, 2)),
            Types.NestedField.required(3, "updated_at", Types.TimestampType.withZone()));

        ExecutionResult first = stack.runDaily(d1, Map.of());
        PartitionManifest d1First = stack.lake().getJson(LakeLayout.bronzeManifest("orders", d1), PartitionManifest.class);
        String d1Max = scalar(pg, "SELECT max(updated_at) FROM orders WHERE " + d1Bounds);
        // Written after d1's plan: one late order on d1 itself, two on d2, one past d2's midnight.
        sql(pg, "INSERT INTO orders VALUES (5, 1.00, '2026-11-17 23:59:00+00'), (6, 2.00, '2026-11-18 08:00:00+00'),"
            + " (10000, 3.00, '2026-11-18 23:59:59.999999+00'), (10001, 4.00, '2026-11-19 00:00:00+00')");
        List<String> d2Expected = orders(pg, "updated_at > '" + d1Max + "' AND updated_at < '2026-11-19T00:00Z'");
        ExecutionResult second = stack.runDaily(d2, Map.of());
        PartitionManifest d2First = stack.lake().getJson(LakeLayout.bronzeManifest("orders", d2), PartitionManifest.class);
        ExecutionResult rerun = stack.runDaily(d1, Map.of());
        ExecutionResult forced = stack.runDaily(d1, Map.of(), true);
        PartitionManifest d1Forced = stack.lake().getJson(LakeLayout.bronzeManifest("orders", d1), PartitionManifest.class);
        PartitionManifest d2After = stack.lake().getJson(LakeLayout.bronzeManifest("orders", d2), PartitionManifest.class);

        for (ExecutionResult r : List.of(first, second, rerun, forced)) {
          assertThat(r.status()).as("%s %s", r.error(), r.cause()).isEqualTo("SUCCEEDED");
        }
        assertThat(d1Expected).hasSize(1_200);
        assertThat(bronzeRows(stack, d1First, schema)).isEqualTo(d1Expected);
        assertThat(d2Expected).hasSize(3);
        assertThat(bronzeRows(stack, d2First, schema)).isEqualTo(d2Expected);
        assertThat(d1Forced.files()).hasSizeGreaterThan(1).isEqualTo(d1First.files());
        assertThat(bronzeRows(stack, d1Forced, schema)).isEqualTo(d1Expected);
        assertThat(d2After.files()).isEqualTo(d2First.files());
        assertThat(stack.local.clients().dynamoDb().getItem(b -> b.tableName(stack.local.context().names().controlTable())
            .key(Map.of("pk", AttributeValue.fromS("ckpt:orders"), "sk", AttributeValue.fromS("jdbc_window#" + d1))))
            .item()).as("d1's window is in the control table").containsKey("value");
      }
    }
  }

  static void sql(EmbeddedPostgres pg, String statement) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  static String scalar(EmbeddedPostgres pg, String query) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The orders matching {@code where} as {@code id|amount|instant}, by id, straight from PostgreSQL. */
  static List<String> orders(EmbeddedPostgres pg, String where) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT order_id, amount, updated_at FROM orders WHERE " + where
            + " ORDER BY order_id")) {
      while (rs.next()) {
        rows.add(rs.getLong(1) + "|" + rs.getBigDecimal(2) + "|" + rs.getObject(3, OffsetDateTime.class).toInstant());
      }
    }
    return rows;
  }

  /** A partition's rows read back from the Parquet files its manifest names, rendered as {@link #orders}, by id. */
  static List<String> bronzeRows(LocalStackFixture stack, PartitionManifest manifest, Schema schema) {
    List<Record> records = new ArrayList<>();
    for (FileEntry f : manifest.files()) {
      records.addAll(ParquetFiles.read(stack.lake().get(f.key()), schema));
    }
    records.sort(java.util.Comparator.comparingLong(r -> (Long) r.get(0)));
    List<String> rows = new ArrayList<>();
    for (Record r : records) {
      rows.add(r.get(0) + "|" + r.get(1) + "|" + ((OffsetDateTime) r.get(2)).toInstant());
    }
    return rows;
  }
}
