package dev.featurepipe.tests.e2e;

import static dev.featurepipe.tests.e2e.JdbcSourceEndToEndTest.sql;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.schema.SchemaFiles;
import dev.featurepipe.schema.SchemaRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Schema changes injected into a real PostgreSQL table between daily runs on the embedded stack: a
 * new nullable column registers the next version and lands in Bronze; a renamed column, a changed
 * type and a new NOT NULL column fail the run at planning with {@code SchemaIncompatible} and a diff,
 * before anything is extracted; the next good run publishes.
 */
class SchemaEvolutionEndToEndTest {

  private static final String USERS_V1 = """
      {"type": "record", "name": "users", "namespace": "test",
       "fields": [
         {"name": "user_id", "type": "long"},
         {"name": "email", "type": "string"},
         {"name": "country", "type": ["null", "string"], "default": null},
         {"name": "ltv", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}],
          "default": null}
       ]}
      """;

  @Test
  void aNewNullableColumnRegistersTheNextVersionAndIncompatibleChangesFailBeforeAnythingIsWritten(
      @TempDir Path tempDir) throws Exception {
    LocalDate d1 = LocalDate.of(2026, 11, 17);
    LocalDate d2 = d1.plusDays(1);
    LocalDate d3 = d1.plusDays(2);
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      // internal_note is left out of the schema on purpose: it is never registered by itself.
      sql(pg, "CREATE TABLE users (user_id bigint PRIMARY KEY, email text NOT NULL, country text, "
          + "ltv numeric(12,2), internal_note text)");
      sql(pg, "INSERT INTO users SELECT i, 'u' || i || '@example.com', CASE WHEN i % 3 = 0 THEN NULL ELSE 'DE' END, "
          + "i * 1.25, 'secret ' || i FROM generate_series(1, 300) AS i");
      LoadedConfig config = usersConfig(tempDir, pg, "postgres", "local-trust-auth");
      try (LocalStackFixture stack = new LocalStackFixture(tempDir.resolve("stack"), config, UnaryOperator.identity())) {
        SchemaRegistry registry = new SchemaRegistry(stack.local.clients().dynamoDb(),
            stack.local.context().names().controlTable());
        for (LocalDate d : List.of(d1, d2, d3)) {
          stack.upload(40 + d.getDayOfMonth(), d, 600, 1, 0);
        }

        // Day 1: the table as registered. The config's version is recorded, with every column the table had.
        assertSucceeded(stack.runDaily(d1, Map.of()));
        assertThat(manifest(stack, d1).schema()).isEqualTo("users.v1");
        List<SchemaRegistry.Version> versions = registry.versions("users");
        assertThat(versions).extracting(v -> v.schema().ref(), SchemaRegistry.Version::origin)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("users.v1", "config"));
        assertThat(versions.get(0).sourceColumns()).contains("internal_note");

        // Day 2: a new nullable column is accepted and registered as users.v2; Bronze carries it.
        sql(pg, "ALTER TABLE users ADD COLUMN nickname text");
        sql(pg, "UPDATE users SET nickname = 'nick' || user_id WHERE user_id % 2 = 0");
        assertSucceeded(stack.runDaily(d2, Map.of()));
        versions = registry.versions("users");
        assertThat(versions).extracting(v -> v.schema().ref()).containsExactly("users.v1", "users.v2");
        SchemaRegistry.Version v2 = versions.get(1);
        assertThat(v2.origin()).isEqualTo("observed");
        assertThat(v2.registeredFor()).isEqualTo(d2);
        assertThat(v2.change()).isEqualTo("added optional nickname (string)");
        // Avro's own checker agrees the new version reads data written with the old one (BACKWARD).
        Schema reader = new Schema.Parser().parse(v2.schema().definition());
        Schema writer = new Schema.Parser().parse(USERS_V1);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType())
            .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        PartitionManifest day2 = manifest(stack, d2);
        assertThat(day2.schema()).isEqualTo("users.v2");
        assertThat(day2.rows()).isEqualTo(300);
        // Another reader (DuckDB) sees the new column's values, and never the column left out.
        TreeMap<Long, String> nicknames = new TreeMap<>();
        List<String> columns = new ArrayList<>();
        for (FileEntry f : day2.files()) {
          Path local = tempDir.resolve(f.key().replace('/', '_'));
          Files.write(local, stack.lake().get(f.key()));
          try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT user_id, nickname FROM read_parquet('" + local + "')")) {
              while (rs.next()) {
                nicknames.put(rs.getLong(1), rs.getString(2));
              }
            }
            try (ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + local + "')")) {
              while (rs.next()) {
                columns.add(rs.getString(1));
              }
            }
          }
        }
        assertThat(nicknames).hasSize(300);
        assertThat(nicknames.get(4L)).isEqualTo("nick4");
        assertThat(nicknames.get(5L)).isNull();
        assertThat(columns).contains("nickname").doesNotContain("internal_note");
        byte[] day1Manifest = stack.lake().get(LakeLayout.bronzeManifest("users", d1));
        var silverBefore = stack.silverTable().currentSnapshot().snapshotId();
        Map<String, Map<String, AttributeValue>> onlineBefore = stack.onlineItems();

        // Day 3, attempt 1: a renamed column fails at planning with the diff; nothing is extracted.
        sql(pg, "ALTER TABLE users RENAME COLUMN email TO email_address");
        ExecutionResult renamed = stack.runDaily(d3, Map.of());
        assertFailedBeforeExtract(renamed, stack, d3);
        assertThat(renamed.cause().orElseThrow())
            .contains("table users", "is not backward compatible with registered schema users.v2")
            .contains("- email (string, required): missing from the source")
            .contains("+ email_address: new, text")
            .contains("a renamed column shows as one missing and one new")
            .contains("schemas/users.v3.avsc");
        sql(pg, "ALTER TABLE users RENAME COLUMN email_address TO email");

        // Attempt 2: a type the registered decimal cannot be filled from.
        sql(pg, "ALTER TABLE users ALTER COLUMN ltv TYPE text");
        ExecutionResult retyped = stack.runDaily(d3, Map.of());
        assertFailedBeforeExtract(retyped, stack, d3);
        assertThat(retyped.cause().orElseThrow())
            .contains("~ ltv: registered decimal(12,2), the source now has text, which cannot fill it without loss");
        sql(pg, "ALTER TABLE users ALTER COLUMN ltv TYPE numeric(12,2) USING ltv::numeric");

        // Attempt 3: a new NOT NULL column cannot be added to a backward-compatible version.
        sql(pg, "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'basic'");
        ExecutionResult required = stack.runDaily(d3, Map.of());
        assertFailedBeforeExtract(required, stack, d3);
        assertThat(required.cause().orElseThrow()).contains("+ tier: new, text NOT NULL: a new column must be optional");
        sql(pg, "ALTER TABLE users DROP COLUMN tier");

        // Nothing the failed attempts touched: no version, the last good state still served.
        assertThat(registry.versions("users")).hasSize(2);
        assertThat(stack.lake().get(LakeLayout.bronzeManifest("users", d1))).isEqualTo(day1Manifest);
        assertThat(stack.silverTable().currentSnapshot().snapshotId()).isEqualTo(silverBefore);
        assertThat(stack.onlineItems()).isEqualTo(onlineBefore);

        // The next good run publishes normally, with the registered users.v2.
        assertSucceeded(stack.runDaily(d3, Map.of()));
        assertThat(manifest(stack, d3).schema()).isEqualTo("users.v2");
        assertThat(registry.versions("users")).hasSize(2);
        assertThat(stack.silverTable().currentSnapshot().snapshotId()).isNotEqualTo(silverBefore);
      }
    }
  }

  /**
   * A least-privilege role granted SELECT on the registered columns only may not SELECT *: the
   * run cannot see the table's other columns, so it compares nothing and registers nothing, and the
   * source is extracted as before (not mistaken for an unavailable one).
   */
  @Test
  void aRoleWithColumnGrantsOnlyIsExtractedWithoutSchemaObservation(@TempDir Path tempDir) throws Exception {
    LocalDate d1 = LocalDate.of(2026, 11, 17);
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      sql(pg, "CREATE TABLE users (user_id bigint PRIMARY KEY, email text NOT NULL, country text, "
          + "ltv numeric(12,2), password_hash text)");
      sql(pg, "INSERT INTO users SELECT i, 'u' || i || '@example.com', 'DE', i, 'x' FROM generate_series(1, 50) AS i");
      sql(pg, "CREATE ROLE featurepipe_reader LOGIN PASSWORD 'reader-pw'");
      sql(pg, "GRANT SELECT (user_id, email, country, ltv) ON users TO featurepipe_reader");
      LoadedConfig config = usersConfig(tempDir, pg, "featurepipe_reader", "reader-pw");
      try (LocalStackFixture stack = new LocalStackFixture(tempDir.resolve("stack"), config, UnaryOperator.identity())) {
        stack.upload(17, d1, 300, 1, 0);
        ExecutionResult result = stack.runDaily(d1, Map.of());
        assertSucceeded(result);
        assertThat(stack.runRecord(d1).unavailableSources()).isNullOrEmpty();
        assertThat(manifest(stack, d1).rows()).isEqualTo(50);
        assertThat(new SchemaRegistry(stack.local.clients().dynamoDb(), stack.local.context().names().controlTable())
            .versions("users")).isEmpty();
      }
    }
  }

  /**
   * A CSV source gains a column: the next version is registered from the header, the position
   * column keeps its field id, a backfill of a day before the change reads its older files with the
   * older version, and a later day whose file lacks the new column fails with the object named.
   */
  @Test
  void aCsvHeaderGainsAColumnAndABackfillOfAnEarlierDayStillReadsItsOlderFiles(@TempDir Path tempDir) {
    LocalDate d1 = LocalDate.of(2026, 11, 17);
    LocalDate d2 = d1.plusDays(1);
    LocalDate d3 = d1.plusDays(2);
    String yaml = """
        version: 1
        sources:
          - {id: clickstream, kind: s3_jsonl, prefix: clickstream/, schema: clickstream_event_v1}
          - id: orders
            kind: s3_files
            schema: orders.v1
            options: {prefix: orders/, format: csv, key: [order_id]}
        feature_groups:
          - {name: product_stats, version: 1, entity: product_id, source: clickstream, buckets: 4,
             PRODUCT_STATS_SPEC, online_ttl_days: 90}
        fanout: {chunks_per_extract: 2, extract_concurrency: 2, shards: 1, transform_concurrency: 2, load_concurrency: 2}
        """.replace("PRODUCT_STATS_SPEC", LocalStackFixture.PRODUCT_STATS_SPEC);
    try {
      Path schemas = Files.createDirectories(tempDir.resolve("schemas"));
      Files.writeString(schemas.resolve("orders.v1.avsc"), """
          {"type": "record", "name": "orders", "fields": [
            {"name": "order_id", "type": "long"},
            {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}]}
          """);
      LoadedConfig config = ConfigLoader.load(yaml.getBytes(StandardCharsets.UTF_8), "files.yaml",
          SchemaFiles.directories(List.of(schemas)));
      try (LocalStackFixture stack = new LocalStackFixture(tempDir.resolve("stack"), config, UnaryOperator.identity())) {
        SchemaRegistry registry = new SchemaRegistry(stack.local.clients().dynamoDb(),
            stack.local.context().names().controlTable());
        for (LocalDate d : List.of(d1, d2, d3)) {
          stack.upload(70 + d.getDayOfMonth(), d, 400, 1, 0);
        }
        // channel is in every file and never in the schema: left out on purpose, never registered.
        stack.putSourceObject("orders/dt=" + d1 + "/orders.csv",
            "order_id,amount,channel\n1,10.50,web\n2,3.00,app\n".getBytes(StandardCharsets.UTF_8));
        assertSucceeded(stack.runDaily(d1, Map.of()));
        byte[] day1 = stack.lake().get(LakeLayout.bronzeManifest("orders", d1));

        String header = "order_id,amount,channel,coupon\n";
        String first = "3,7.25,web,WINTER\n";
        stack.putSourceObject("orders/dt=" + d2 + "/orders.csv",
            (header + first + "4,1.00,app,\n").getBytes(StandardCharsets.UTF_8));
        // An empty export beside it has no header to compare and no rows: it changes nothing.
        stack.putSourceObject("orders/dt=" + d2 + "/orders-empty.csv", new byte[0]);
        assertSucceeded(stack.runDaily(d2, Map.of()));
        assertThat(registry.versions("orders")).extracting(v -> v.schema().ref(), SchemaRegistry.Version::change)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("orders.v1", "schemas/orders.v1.avsc"),
                org.assertj.core.groups.Tuple.tuple("orders.v2", "added optional coupon (string)"));
        PartitionManifest day2 = stack.lake().getJson(LakeLayout.bronzeManifest("orders", d2), PartitionManifest.class);
        assertThat(day2.schema()).isEqualTo("orders.v2");
        assertThat(day2.rows()).isEqualTo(2);
        // Field ids as a Parquet reader sees them: the position column keeps id 3 from v1, coupon is 4.
        byte[] file = stack.lake().get(day2.files().stream().filter(f -> f.rows() > 0).findFirst().orElseThrow().key());
        org.apache.iceberg.Schema v1Ids = new org.apache.iceberg.Schema(
            org.apache.iceberg.types.Types.NestedField.required(1, "order_id", org.apache.iceberg.types.Types.LongType.get()),
            org.apache.iceberg.types.Types.NestedField.required(3, "_source_position",
                org.apache.iceberg.types.Types.LongType.get()),
            org.apache.iceberg.types.Types.NestedField.optional(4, "coupon", org.apache.iceberg.types.Types.StringType.get()));
        List<String> rows = dev.featurepipe.lake.ParquetFiles.read(file, v1Ids).stream()
            .map(r -> r.get(0) + "|" + r.get(1) + "|" + r.get(2)).toList();
        // The position is each record's byte offset in the object.
        assertThat(rows).containsExactly("3|" + header.length() + "|WINTER",
            "4|" + (header.length() + first.length()) + "|null");

        // Exported and named by the config, orders.v2 gives Bronze the very schema the runs wrote with.
        Path exported = tempDir.resolve("exported");
        java.io.ByteArrayOutputStream listing = new java.io.ByteArrayOutputStream();
        dev.featurepipe.infra.cli.Schemas.report(registry, List.of("orders"), java.util.Optional.of(exported),
            new java.io.PrintStream(listing, true, StandardCharsets.UTF_8));
        assertThat(listing.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(2)
            .anySatisfy(l -> assertThat(l).startsWith("orders.v2").contains("observed", "added optional coupon (string)",
                "orders.v2.avsc (written)"));
        Files.copy(schemas.resolve("orders.v1.avsc"), exported.resolve("orders.v1.avsc"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        LoadedConfig adopted = ConfigLoader.load(yaml.replace("schema: orders.v1", "schema: orders.v2")
            .getBytes(StandardCharsets.UTF_8), "files-v2.yaml", SchemaFiles.directories(List.of(exported)));
        assertThat(dev.featurepipe.schema.SchemaFingerprint.of(dev.featurepipe.extract.SourceConnectors.bronzeSchema(
            adopted.config().source("orders").orElseThrow()))).isEqualTo(day2.schemaFingerprint());

        // A backfill of d1 (before orders.v2 was first used) reads d1's file, which has no coupon, with v1.
        assertSucceeded(stack.runDaily(d1, Map.of(), true));
        assertThat(stack.lake().get(LakeLayout.bronzeManifest("orders", d1))).isEqualTo(day1);

        // d3 is after the change: each of its files must have coupon, and the one lacking it is named.
        stack.putSourceObject("orders/dt=" + d3 + "/orders-a.csv",
            "order_id,amount,coupon,channel\n5,2.00,,web\n".getBytes(StandardCharsets.UTF_8));
        stack.putSourceObject("orders/dt=" + d3 + "/orders-b.csv",
            "order_id,amount,channel\n6,2.00,web\n".getBytes(StandardCharsets.UTF_8));
        ExecutionResult lacking = stack.runDaily(d3, Map.of());
        assertThat(lacking.status()).isEqualTo("FAILED");
        assertThat(lacking.cause().orElseThrow())
            .contains("the 2 csv objects under s3://featurepipe-source/orders/dt=" + d3 + "/")
            .contains("registered schema orders.v2")
            .contains("- coupon (string): missing from s3://featurepipe-source/orders/dt=" + d3 + "/orders-b.csv");
        assertThat(stack.lake().find(LakeLayout.bronzeManifest("orders", d3))).isEmpty();
        stack.putSourceObject("orders/dt=" + d3 + "/orders-b.csv",
            "order_id,amount,channel,coupon\n6,2.00,web,SPRING\n".getBytes(StandardCharsets.UTF_8));
        assertSucceeded(stack.runDaily(d3, Map.of()));
        assertThat(stack.lake().getJson(LakeLayout.bronzeManifest("orders", d3), PartitionManifest.class).rows())
            .isEqualTo(2);
        assertThat(registry.versions("orders")).hasSize(2);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The clickstream and the table {@code users} of {@code pg} read as registered schema users.v1
   * ({@link #USERS_V1}, in {@code tempDir/schemas}) by {@code user}, in key ranges of 100 rows.
   */
  private static LoadedConfig usersConfig(Path tempDir, EmbeddedPostgres pg, String user, String password)
      throws java.io.IOException {
    Path schemas = Files.createDirectories(tempDir.resolve("schemas"));
    Files.writeString(schemas.resolve("users.v1.avsc"), USERS_V1);
    Path secret = tempDir.resolve("users-db.json");
    Files.writeString(secret, "{\"username\": \"" + user + "\", \"password\": \"" + password + "\"}");
    String yaml = """
        version: 1
        sources:
          - {id: clickstream, kind: s3_jsonl, prefix: clickstream/, schema: clickstream_event_v1}
          - id: users
            kind: jdbc
            schema: users.v1
            options: {url: "jdbc:postgresql://localhost:%d/postgres", credentials: "file:%s", table: users,
                      key_column: user_id, chunk_rows: 100}
        feature_groups:
          - {name: product_stats, version: 1, entity: product_id, source: clickstream, buckets: 4,
             PRODUCT_STATS_SPEC, online_ttl_days: 90}
        fanout: {chunks_per_extract: 2, extract_concurrency: 2, shards: 1, transform_concurrency: 2, load_concurrency: 2}
        """.formatted(pg.getPort(), secret).replace("PRODUCT_STATS_SPEC", LocalStackFixture.PRODUCT_STATS_SPEC);
    return ConfigLoader.load(yaml.getBytes(StandardCharsets.UTF_8), "users.yaml", SchemaFiles.directories(List.of(schemas)));
  }

  private static void assertSucceeded(ExecutionResult result) {
    assertThat(result.status()).as("%s %s", result.error(), result.cause()).isEqualTo("SUCCEEDED");
  }

  private static void assertFailedBeforeExtract(ExecutionResult result, LocalStackFixture stack, LocalDate date) {
    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).contains("dev.featurepipe.errors.SchemaIncompatible");
    assertThat(result.history()).noneMatch(e -> "ExtractAll".equals(e.stateName()));
    assertThat(stack.lake().find(LakeLayout.bronzeManifest("users", date))).isEmpty();
    assertThat(stack.lake().find(LakeLayout.bronzeManifest("clickstream", date))).isEmpty();
  }

  private static PartitionManifest manifest(LocalStackFixture stack, LocalDate date) {
    return stack.lake().getJson(LakeLayout.bronzeManifest("users", date), PartitionManifest.class);
  }
}
