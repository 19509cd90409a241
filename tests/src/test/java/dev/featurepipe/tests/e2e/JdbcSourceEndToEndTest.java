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
               features: [views, clicks, add_to_carts, purchases, distinct_users, revenue], online_ttl_days: 90}
          fanout: {chunks_per_extract: 2, extract_concurrency: 2, shards: 2, transform_concurrency: 2, load_concurrency: 2}
          """.formatted(pg.getPort(), secret);
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
}
