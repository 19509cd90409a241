package dev.featurepipe.extract.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.featurepipe.aws.LocalSecrets;
import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.jdbc.JdbcConnectorTest.Collected;
import dev.featurepipe.extract.jdbc.JdbcConnectorTest.MemoryWatermarks;
import dev.featurepipe.lake.ParquetFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reruns of incremental ({@code watermark_column}) JDBC sources against a real PostgreSQL (zonky
 * embedded binaries): each date's window is fixed at its first plan, so a rerun converges to the
 * same Bronze rows. Watermark windows live in the in-memory store (no DynamoDB in functions tests;
 * the control-table store runs in the tests module's JdbcSourceEndToEndTest). Each test has its own
 * table. Expected rows come from SQL over the table with the dates' bounds written out, never from
 * the connector.
 */
class JdbcWatermarkRerunTest {

  static final LocalDate D1 = LocalDate.parse("2026-11-24");
  static final LocalDate D2 = D1.plusDays(1);
  static final LocalDate D3 = D1.plusDays(2);

  static EmbeddedPostgres pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    pg.close();
  }

  static void sql(String... statements) throws SQLException {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /** {@code table}'s rows matching {@code where}, ordered by id, each as {@code col|col|...} (instants for timestamptz). */
  static List<String> db(String table, String where) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE " + where + " ORDER BY id")) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        List<String> cols = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          cols.add("timestamptz".equals(meta.getColumnTypeName(i))
              ? rs.getObject(i, OffsetDateTime.class).toInstant().toString() : String.valueOf(rs.getObject(i)));
        }
        rows.add(String.join("|", cols));
      }
    }
    return rows;
  }

  static String scalar(String query) throws SQLException {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  static JdbcConnector connector(String body, WatermarkStore store, Predicate<LocalDate> sealed) throws Exception {
    return new JdbcConnector(JdbcSourceOptions.parse("orders_db", new YAMLMapper().readTree(
        "url: jdbc:postgresql://localhost:" + pg.getPort() + "/postgres\ncredentials: env:PG_LOGIN\n" + body)),
        new LocalSecrets(Map.of("PG_LOGIN", "{\"username\": \"postgres\", \"password\": \"local-trust-auth\"}")),
        store, sealed);
  }

  static String timed(String table) {
    return """
        table: %s
        key_column: id
        chunk_rows: 2
        watermark_column: updated_at
        columns:
          - {name: id, type: long}
          - {name: v, type: string, required: true}
          - {name: updated_at, type: timestamptz, required: true}
        """.formatted(table);
  }

  /** One date's extract: its planned chunks and all their rows as one Bronze-ordered Parquet file (null: no rows). */
  record Extract(List<ExtractItem> items, byte[] parquet) {}

  static Extract run(JdbcConnector connector, LocalDate dt) {
    List<ExtractItem> items = connector.plan(dt);
    Collected sink = new Collected();
    items.forEach(item -> connector.read(item, dt, sink));
    assertThat(sink.rejected).isEmpty();
    sink.rows.sort(connector.bronzeOrder());
    return new Extract(items, sink.rows.isEmpty() ? null : ParquetFiles.write(connector.bronzeSchema(), sink.rows));
  }

  /** The file's rows read back from the Parquet bytes, rendered as {@link #db} renders the table's. */
  static List<String> rows(JdbcConnector connector, Extract extract) {
    List<String> out = new ArrayList<>();
    for (Record r : ParquetFiles.read(extract.parquet(), connector.bronzeSchema())) {
      List<String> cols = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        cols.add(r.get(i) instanceof OffsetDateTime t ? t.toInstant().toString() : String.valueOf(r.get(i)));
      }
      out.add(String.join("|", cols));
    }
    return out;
  }

  @Test
  void rerunOfAnEarlierDateReadsItsFirstWindowAgainByteForByteAndLeavesTheLaterDateAlone() throws Exception {
    sql("CREATE TABLE orders (id bigint PRIMARY KEY, v text NOT NULL, updated_at timestamptz NOT NULL)",
        """
        INSERT INTO orders VALUES (100, 'the day before', '2026-11-23 23:59:59.999999+00'),
          (1, 'a', '2026-11-24 00:00:00+00'), (2, 'b', '2026-11-24 03:15:00+00'), (3, 'c', '2026-11-24 07:30:00+00'),
          (4, 'd', '2026-11-24 11:45:00.5+00'), (5, 'e', '2026-11-24 16:00:00+00'), (6, 'f', '2026-11-24 18:00:00+00')""");
    // D1's rows and highest watermark as the database holds them when D1 is first planned.
    String d1Bounds = "updated_at >= '2026-11-24T00:00Z' AND updated_at < '2026-11-25T00:00Z'";
    List<String> d1Expected = db("orders", d1Bounds);
    String d1Max = scalar("SELECT max(updated_at) FROM orders WHERE " + d1Bounds);
    JdbcConnector connector = connector(timed("orders"), new MemoryWatermarks(), dt -> false);

    Extract d1 = run(connector, D1);
    sql("INSERT INTO orders VALUES (7, 'late on D1', '2026-11-24 22:00:00+00'), (8, 'g', '2026-11-25 09:00:00+00'),"
        + " (9, 'h', '2026-11-25 23:59:59.999999+00'), (10, 'next midnight', '2026-11-26 00:00:00+00')");
    List<String> d2Expected = db("orders", "updated_at > '" + d1Max + "' AND updated_at < '2026-11-26T00:00Z'");
    Extract d2 = run(connector, D2);
    Extract d1Again = run(connector, D1);
    Extract d2Again = run(connector, D2);

    assertThat(d1Expected).hasSize(6);
    assertThat(rows(connector, d1)).isEqualTo(d1Expected);
    assertThat(d2Expected).extracting(r -> r.split("\\|")[0]).containsExactly("7", "8", "9");
    assertThat(rows(connector, d2)).isEqualTo(d2Expected);
    assertThat(d1Again.items()).isEqualTo(d1.items());
    assertThat(rows(connector, d1Again)).isEqualTo(d1Expected);
    assertThat(d1Again.parquet()).isEqualTo(d1.parquet());
    assertThat(d2Again.parquet()).isEqualTo(d2.parquet());
  }

  @Test
  void aRowUpdatedAfterItsDateRanLeavesThatDatesRerunAndIsReadWithItsNewValuesByTheNextNewDate() throws Exception {
    sql("CREATE TABLE edited (id bigint PRIMARY KEY, v text NOT NULL, updated_at timestamptz NOT NULL)",
        """
        INSERT INTO edited VALUES (1, 'a', '2026-11-24 01:00:00+00'), (2, 'b', '2026-11-24 02:00:00+00'),
          (3, 'c', '2026-11-24 03:00:00+00'), (4, 'd', '2026-11-25 04:00:00+00')""");
    JdbcConnector connector = connector(timed("edited"), new MemoryWatermarks(), dt -> false);
    run(connector, D1);
    Extract d2 = run(connector, D2);

    sql("UPDATE edited SET v = 'changed', updated_at = '2026-11-26 05:00:00+00' WHERE id = 2");
    Extract d1Again = run(connector, D1);
    Extract d2Again = run(connector, D2);
    Extract d3 = run(connector, D3);

    assertThat(rows(connector, d1Again)).as("row 2's watermark left D1's window")
        .isEqualTo(db("edited", "id IN (1, 3)"));
    assertThat(d2Again.parquet()).isEqualTo(d2.parquet());
    assertThat(rows(connector, d3)).isEqualTo(db("edited", "id = 2")).singleElement().asString().contains("|changed|");
  }

  @Test
  void rowsWrittenBetweenPlanAndReadLandInTheNextDateExactlyOnce() throws Exception {
    sql("CREATE TABLE journal (id bigint PRIMARY KEY, seq bigint NOT NULL, v text)",
        "INSERT INTO journal VALUES (1, 1, 'a'), (3, 2, 'b'), (5, 3, 'c')");
    JdbcConnector connector = connector("""
        table: journal
        key_column: id
        watermark_column: seq
        columns: [{name: id, type: long}, {name: seq, type: long}, {name: v, type: string}]
        """, new MemoryWatermarks(), dt -> false);
    List<String> atPlan = db("journal", "true");

    List<ExtractItem> d1Items = connector.plan(D1);
    // Inside the extraction: after the plan, before any chunk is read; key 2 lies inside D1's key range.
    sql("INSERT INTO journal VALUES (2, 4, 'written during D1'), (6, 5, 'also during D1')");
    Collected d1 = new Collected();
    d1Items.forEach(item -> connector.read(item, D1, d1));
    Extract d2 = run(connector, D2);
    Extract d1Again = run(connector, D1);

    List<String> d1Rows = new ArrayList<>();
    d1.rows.sort(connector.bronzeOrder());
    d1.rows.forEach(r -> d1Rows.add(r.get(0) + "|" + r.get(1) + "|" + r.get(2)));
    assertThat(d1Rows).isEqualTo(atPlan);
    assertThat(rows(connector, d1Again)).isEqualTo(atPlan);
    assertThat(rows(connector, d2)).isEqualTo(db("journal", "id IN (2, 6)"));
    List<String> everyDate = new ArrayList<>(d1Rows);
    everyDate.addAll(rows(connector, d2));
    assertThat(everyDate).containsExactlyInAnyOrderElementsOf(db("journal", "true"));
  }

  @Test
  void aSkippedDateIsCaughtUpByTheNextAndPlansAnEmptyWindowWhenRunLater() throws Exception {
    sql("CREATE TABLE gaps (id bigint PRIMARY KEY, v text NOT NULL, updated_at timestamptz NOT NULL)",
        """
        INSERT INTO gaps VALUES (1, 'a', '2026-11-24 01:00:00+00'), (2, 'b', '2026-11-25 02:00:00+00'),
          (3, 'c', '2026-11-25 03:00:00+00'), (4, 'd', '2026-11-26 04:00:00+00'), (5, 'e', '2026-11-27 05:00:00+00')""");
    JdbcConnector connector = connector(timed("gaps"), new MemoryWatermarks(), dt -> false);

    Extract d1 = run(connector, D1);
    Extract d3 = run(connector, D3); // D2 never ran, as when its source was down all day
    Extract d2 = run(connector, D2);
    Extract d2Again = run(connector, D2);
    Extract d3Again = run(connector, D3);

    assertThat(rows(connector, d1)).isEqualTo(db("gaps", "id = 1"));
    assertThat(rows(connector, d3)).isEqualTo(db("gaps",
        "updated_at > '2026-11-24T01:00Z' AND updated_at < '2026-11-27T00:00Z'")).hasSize(3);
    assertThat(d2.items()).isEmpty();
    assertThat(d2Again.items()).isEmpty();
    assertThat(d2Again.parquet()).isNull();
    assertThat(d3Again.parquet()).isEqualTo(d3.parquet());
  }

  @Test
  void aSealedDateWithoutARecordedWindowIsRefusedWhileASealedDateWithOneIsReused() throws Exception {
    sql("CREATE TABLE sealed (id bigint PRIMARY KEY, v text NOT NULL, updated_at timestamptz NOT NULL)",
        "INSERT INTO sealed VALUES (1, 'a', '2026-11-23 01:00:00+00'), (2, 'b', '2026-11-24 01:00:00+00')");
    TreeSet<LocalDate> sealedDates = new TreeSet<>(List.of(D1.minusDays(1)));
    JdbcConnector connector = connector(timed("sealed"), new MemoryWatermarks(), sealedDates::contains);

    List<ExtractItem> first = connector.plan(D1);
    sealedDates.add(D1);

    assertThat(connector.plan(D1)).isEqualTo(first).isNotEmpty();
    assertThatThrownBy(() -> connector.plan(D1.minusDays(1)))
        .isInstanceOf(InvalidInput.class)
        .hasMessage("source orders_db: date 2026-11-23 has a sealed Bronze partition but no recorded watermark "
            + "window (control table pk ckpt:orders_db, sk jdbc_window#2026-11-23), so its rows cannot be read "
            + "again; sealed before windows were recorded or before watermark_column was set. Leave this source "
            + "out of the rerun of 2026-11-23, or record the window the partition was read with");
    assertThat(connector.plan(D1.minusDays(2))).as("older, never planned, never sealed").isEmpty();
  }

  @Test
  void theFrontiersWindowIsReusedWhenThePlannerStoppedBeforeRecordingItsDate() throws Exception {
    sql("CREATE TABLE crashed (id bigint PRIMARY KEY, v text NOT NULL, updated_at timestamptz NOT NULL)",
        "INSERT INTO crashed VALUES (1, 'a', '2026-11-24 01:00:00+00'), (2, 'b', '2026-11-24 02:00:00+00')");
    MemoryWatermarks store = new MemoryWatermarks();
    JdbcConnector connector = connector(timed("crashed"), store, dt -> false);
    List<ExtractItem> first = connector.plan(D1);
    String window = store.values.remove("orders_db " + WatermarkWindows.WINDOW_KEY_PREFIX + D1);
    sql("INSERT INTO crashed VALUES (3, 'c', '2026-11-24 03:00:00+00')");

    assertThat(window).isNotNull();
    assertThat(connector.plan(D1)).isEqualTo(first);
    assertThat(store.values).containsEntry("orders_db " + WatermarkWindows.WINDOW_KEY_PREFIX + D1, window);
  }

  /**
   * Failure injection: the store lets a rival plan of the same date run between this plan's
   * measurement and its compare-and-set, as two executions of one date would on AWS.
   */
  @Test
  void aPlanThatLosesTheRaceForTheFrontierUsesTheWinnersWindow() throws Exception {
    sql("CREATE TABLE raced (id bigint PRIMARY KEY, v text NOT NULL, updated_at timestamptz NOT NULL)",
        "INSERT INTO raced VALUES (1, 'a', '2026-11-24 01:00:00+00')");
    MemoryWatermarks shared = new MemoryWatermarks();
    JdbcConnector rival = connector(timed("raced"), shared, dt -> false);
    List<List<ExtractItem>> rivalPlans = new ArrayList<>();
    WatermarkStore racing = new WatermarkStore() {
      boolean raced;

      @Override
      public Optional<String> get(String sourceId, String key) {
        return shared.get(sourceId, key);
      }

      @Override
      public void put(String sourceId, String key, String value) {
        shared.put(sourceId, key, value);
      }

      @Override
      public boolean putIf(String sourceId, String key, Optional<String> expected, String value) {
        if (!raced) {
          raced = true;
          try {
            sql("INSERT INTO raced VALUES (2, 'b', '2026-11-24 02:00:00+00')");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          rivalPlans.add(rival.plan(D1));
        }
        return shared.putIf(sourceId, key, expected, value);
      }
    };
    JdbcConnector loser = connector(timed("raced"), racing, dt -> false);

    Extract planned = run(loser, D1);

    assertThat(rivalPlans).singleElement().isEqualTo(planned.items());
    assertThat(rows(loser, planned)).isEqualTo(db("raced", "true")).hasSize(2);
  }

  @Test
  void theCheckpointOfEarlierVersionsSeedsTheFirstWindow() throws Exception {
    sql("CREATE TABLE seeded (id bigint PRIMARY KEY, seq bigint NOT NULL)",
        "INSERT INTO seeded VALUES (1, 10), (2, 20), (3, 30)");
    MemoryWatermarks store = new MemoryWatermarks();
    store.put("orders_db", WatermarkWindows.LEGACY_KEY, "20");
    JdbcConnector connector = connector("""
        table: seeded
        key_column: id
        watermark_column: seq
        columns: [{name: id, type: long}, {name: seq, type: long}]
        """, store, dt -> false);

    assertThat(rows(connector, run(connector, D1))).isEqualTo(db("seeded", "seq > 20"));
  }
}
