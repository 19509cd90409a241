package dev.featurepipe.extract.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.featurepipe.aws.LocalSecrets;
import dev.featurepipe.errors.SchemaIncompatible;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.SourceConnector;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real PostgreSQL 14 (zonky embedded binaries), started once for the class. */
class JdbcConnectorTest {

  static final LocalDate DT = LocalDate.parse("2026-11-24");
  static final String PASSWORD = "reader-pw-7f3a";
  static final LocalSecrets SECRETS = new LocalSecrets(Map.of(
      "PG_LOGIN", "{\"username\":\"reader\",\"password\":\"" + PASSWORD + "\"}",
      "PG_BAD", "{\"username\":\"reader\",\"password\":\"wrong-pw-91c2\"}",
      "PG_PLAIN", "plain-pw-5d1e"));

  static EmbeddedPostgres pg;
  static Path hba;

  @BeforeAll
  static void startPostgres() throws Exception {
    // Embedded PostgreSQL trusts every login; this pg_hba makes non-superusers prove a password so a
    // wrong one fails as it would against RDS.
    hba = Files.createTempFile("fp-jdbc-hba", ".conf");
    Files.writeString(hba, """
        local all all trust
        host all postgres 127.0.0.1/32 trust
        host all postgres ::1/128 trust
        host all all 127.0.0.1/32 md5
        host all all ::1/128 md5
        """);
    Files.setPosixFilePermissions(hba, PosixFilePermissions.fromString("rw-r--r--"));
    pg = EmbeddedPostgres.builder().setServerConfig("hba_file", hba.toString()).start();
    sql("CREATE ROLE reader LOGIN PASSWORD '" + PASSWORD + "'",
        "CREATE SCHEMA shop",
        "GRANT USAGE ON SCHEMA shop TO reader",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT SELECT ON TABLES TO reader",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reader",
        """
        CREATE TABLE shop.typed (
          id bigint PRIMARY KEY, s text, i integer, l bigint, d double precision, b boolean, day date,
          ts timestamptz, amount numeric(38,10), price numeric(5,2))""",
        """
        INSERT INTO shop.typed VALUES
          (-9223372036854775808, '', -2147483648, -9223372036854775808, 'NaN', false, '0001-01-01',
           '0001-01-01 00:00:00+00', -9999999999999999999999999999.9999999999, -999.99),
          (-1, 'héllo 中文 😀 ‮rtl', 2147483647, 9223372036854775807, 'Infinity', true, '9999-12-31',
           '2026-03-29 01:59:59.999999+00', 9999999999999999999999999999.9999999999, 999.99),
          (0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (7, 'tab	and
        newline', 0, 0, '-Infinity', true, '2026-11-24', '2026-03-29 03:00:00+02', 0.0000000001, 0.01),
          (8, 'quote '' and \\ backslash', 1, -1, -0.0, false, '1970-01-01',
           '2026-10-25 02:30:00 Europe/Berlin', 1, 1.5),
          (9, 'd', 2, 2, 4.9e-324, true, '2000-02-29', '2026-11-24 23:59:59.000001-08', 123.4500000000, -0.5),
          (9223372036854775807, 'max', 3, 3, 1.7976931348623157e308, false, '2026-11-25',
           '1969-12-31 23:59:59.999999+00', -0.0000000001, 0)""",
        "CREATE TABLE public.users (id integer PRIMARY KEY, name text, score numeric, big bigint)",
        """
        INSERT INTO public.users VALUES (1, 'ana', 1.5000, 5), (2, NULL, 2, 6), (3, 'cy', 1.234, 7),
          (4, 'di', 12345.6, 8), (5, 'ed', 3, 3000000000), (6, 'fi', 'NaN', 9)""",
        "CREATE TABLE public.empty (id bigint PRIMARY KEY, v text)",
        "CREATE TABLE public.events (id bigint PRIMARY KEY, v text NOT NULL, updated_at timestamptz NOT NULL)",
        """
        INSERT INTO public.events VALUES
          (1, 'a', '2026-11-24 00:00:00+00'), (2, 'b', '2026-11-24 06:00:00+00'), (3, 'c', '2026-11-24 12:00:00+00'),
          (4, 'd', '2026-11-24 18:00:00+00'), (5, 'e', '2026-11-24 20:00:00.123456+00'),
          (6, 'yesterday', '2026-11-23 23:59:59.999999+00'), (7, 'tomorrow', '2026-11-25 00:00:00+00')""",
        "SELECT setseed(0.42)",
        // Keys with gaps (3g + g%7), so ranges are cut by value, not by row number.
        """
        CREATE TABLE public.big AS SELECT (3 * g + g % 7)::bigint AS id, md5(g::text) AS s,
          (random() * 1e6)::integer AS i, round((random() * 1e6)::numeric, 2)::numeric(12,2) AS amount,
          timestamptz '2026-11-24 00:00:00+00' + g * interval '431 milliseconds' AS ts
          FROM generate_series(1, 200000) AS g""",
        "ALTER TABLE public.big ADD PRIMARY KEY (id)",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public, shop TO reader",
        "ANALYZE");
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    pg.close();
    Files.deleteIfExists(hba);
  }

  static void sql(String... statements) throws SQLException {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  static String url() {
    return "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
  }

  static JdbcSourceOptions options(String body) throws Exception {
    return JdbcSourceOptions.parse("pg_test", new YAMLMapper().readTree(
        "url: " + url() + "\ncredentials: env:PG_LOGIN\n" + body));
  }

  static JdbcConnector connector(String body) throws Exception {
    return connector(body, new MemoryWatermarks());
  }

  /** A connector whose Bronze partitions are never sealed (no S3 here). */
  static JdbcConnector connector(String body, WatermarkStore watermarks) throws Exception {
    return new JdbcConnector(options(body), SECRETS, watermarks, dt -> false);
  }

  /** A real in-memory store (no DynamoDB in functions tests), keyed {@code <source> <key>}. */
  static final class MemoryWatermarks implements WatermarkStore {
    final TreeMap<String, String> values = new TreeMap<>();

    @Override
    public synchronized Optional<String> get(String sourceId, String key) {
      return Optional.ofNullable(values.get(sourceId + " " + key));
    }

    @Override
    public synchronized void put(String sourceId, String key, String value) {
      values.put(sourceId + " " + key, value);
    }

    @Override
    public synchronized boolean putIf(String sourceId, String key, Optional<String> expected, String value) {
      if (!expected.equals(get(sourceId, key))) {
        return false;
      }
      put(sourceId, key, value);
      return true;
    }
  }

  record Rejected(long position, Rejection rejection) {}

  static final class Collected implements SourceConnector.RowSink {
    final List<Record> rows = new ArrayList<>();
    final List<Rejected> rejected = new ArrayList<>();

    @Override
    public void row(Record row) {
      rows.add(row);
    }

    @Override
    public void reject(long position, Rejection rejection, String raw) {
      assertThat(raw).isNull();
      rejected.add(new Rejected(position, rejection));
    }
  }

  static Collected readAll(JdbcConnector connector, LocalDate dt) {
    Collected sink = new Collected();
    for (ExtractItem item : connector.plan(dt)) {
      connector.read(item, dt, sink);
    }
    return sink;
  }

  static final String TYPED = """
      table: shop.typed
      key_column: id
      chunk_rows: 2
      columns:
        - {name: id, type: long}
        - {name: s, type: string}
        - {name: i, type: int}
        - {name: l, type: long}
        - {name: d, type: double}
        - {name: b, type: boolean}
        - {name: day, type: date}
        - {name: ts, type: timestamptz}
        - {name: amount, type: "decimal(38,10)"}
        - {name: price, type: "decimal(5,2)"}
      """;

  @Test
  void everyTypeRoundTripsExactlyIncludingEdgeValues() throws Exception {
    Collected got = readAll(connector(TYPED), DT);

    assertThat(got.rejected).isEmpty();
    got.rows.sort(connector(TYPED).bronzeOrder());
    // Expected values come from PostgreSQL's own text, binary and epoch renderings, not the driver
    // mapping the connector uses. (t.id: a bare "id" would sort by the text output column.)
    List<List<Object>> expected = new ArrayList<>();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("""
            SELECT id::text, s, i::text, l::text, float8send(d), b::text, day::text,
              (extract(epoch FROM ts) * 1000000)::numeric(30,0)::text, amount::text, price::text
            FROM shop.typed AS t ORDER BY t.id""")) {
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
          row.add(i == 5 ? rs.getBytes(i) : rs.getString(i));
        }
        expected.add(row);
      }
    }
    assertThat(got.rows).hasSize(expected.size()).hasSize(7);
    for (int r = 0; r < expected.size(); r++) {
      Record rec = got.rows.get(r);
      List<Object> e = expected.get(r);
      assertThat(str(rec.get(0))).isEqualTo(e.get(0));
      assertThat(rec.get(1)).isEqualTo(e.get(1));
      assertThat(str(rec.get(2))).isEqualTo(e.get(2));
      assertThat(str(rec.get(3))).isEqualTo(e.get(3));
      assertThat(rec.get(4) == null ? null : java.nio.ByteBuffer.allocate(8).putDouble((Double) rec.get(4)).array())
          .isEqualTo(e.get(4));
      assertThat(rec.get(5) == null ? null : ((Boolean) rec.get(5) ? "true" : "false")).isEqualTo(e.get(5));
      assertThat(str(rec.get(6))).isEqualTo(e.get(6) == null ? null : ((String) e.get(6)));
      OffsetDateTime ts = (OffsetDateTime) rec.get(7);
      if (ts != null) {
        assertThat(ts.getOffset()).isEqualTo(ZoneOffset.UTC);
      }
      assertThat(ts == null ? null : Long.toString(ChronoUnit.MICROS.between(OffsetDateTime.parse(
          "1970-01-01T00:00:00Z"), ts))).isEqualTo(e.get(7));
      assertThat(rec.get(8) == null ? null : ((BigDecimal) rec.get(8)).toPlainString()).isEqualTo(e.get(8));
      assertThat(rec.get(9) == null ? null : ((BigDecimal) rec.get(9)).toPlainString()).isEqualTo(e.get(9));
    }
  }

  static String str(Object o) {
    return o == null ? null : o.toString();
  }

  @Test
  void keysAtBothEndsOfTheLongRangeArePlannedIntoContiguousHalfOpenRanges() throws Exception {
    List<ExtractItem> plan = connector(TYPED).plan(DT);

    assertThat(plan).hasSize(4);
    assertThat(plan).extracting(ExtractItem::chunkId).isSorted();
    List<ExtractItem> byFrom = new ArrayList<>(plan);
    byFrom.sort(java.util.Comparator.comparing(i -> i.range().get("from").bigIntegerValue()));
    assertThat(byFrom.getFirst().range().get("from").longValue()).isEqualTo(Long.MIN_VALUE);
    assertThat(byFrom.getLast().range().get("to").bigIntegerValue())
        .isEqualTo(java.math.BigInteger.valueOf(Long.MAX_VALUE).add(java.math.BigInteger.ONE));
    for (int i = 1; i < byFrom.size(); i++) {
      assertThat(byFrom.get(i).range().get("from")).isEqualTo(byFrom.get(i - 1).range().get("to"));
    }
    for (ExtractItem item : plan) {
      assertThat(item.chunkId()).isEqualTo("keys-" + item.range().get("from") + "-" + item.range().get("to"));
    }
  }

  @Test
  void theChunksOfA200kRowTableCoverEveryKeyExactlyOnce() throws Exception {
    JdbcConnector connector = connector("""
        table: big
        key_column: id
        chunk_rows: 30000
        columns:
          - {name: id, type: long}
          - {name: s, type: string, required: true}
          - {name: i, type: int}
          - {name: amount, type: "decimal(12,2)"}
          - {name: ts, type: timestamptz}
        """);
    List<ExtractItem> plan = connector.plan(DT);
    Collected sink = new Collected();
    List<Integer> ends = new ArrayList<>();
    // Printed for the throughput note only, never asserted: timings are not evidence.
    long started = System.nanoTime();
    for (ExtractItem item : plan) {
      connector.read(item, DT, sink);
      ends.add(sink.rows.size());
    }
    long nanos = System.nanoTime() - started;
    System.out.printf(java.util.Locale.ROOT, "JDBC read: %d rows in %d chunks, %.0f rows/s%n", sink.rows.size(),
        plan.size(), sink.rows.size() / (nanos / 1e9));
    for (int c = 0; c < plan.size(); c++) {
      JsonNode range = plan.get(c).range();
      for (Record r : sink.rows.subList(c == 0 ? 0 : ends.get(c - 1), ends.get(c))) {
        assertThat((Long) r.get(0)).isGreaterThanOrEqualTo(range.get("from").longValue())
            .isLessThan(range.get("to").longValue());
      }
    }

    assertThat(plan).hasSize(7);
    assertThat(sink.rejected).isEmpty();
    List<Long> expectedKeys = new ArrayList<>();
    BigDecimal expectedSum;
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT id FROM big ORDER BY id")) {
        while (rs.next()) {
          expectedKeys.add(rs.getLong(1));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT sum(amount) FROM big")) {
        rs.next();
        expectedSum = rs.getBigDecimal(1);
      }
    }
    List<Long> readKeys = sink.rows.stream().map(r -> (Long) r.get(0)).sorted().toList();
    assertThat(readKeys).hasSize(200_000).doesNotHaveDuplicates().isEqualTo(expectedKeys);
    assertThat(sink.rows.stream().map(r -> (BigDecimal) r.get(3)).reduce(BigDecimal.ZERO, BigDecimal::add))
        .isEqualTo(expectedSum);
  }

  @Test
  void anEmptyTableIsPlannedAsNoChunks() throws Exception {
    assertThat(connector("""
        table: empty
        key_column: id
        columns: [{name: id, type: long}, {name: v, type: string}]
        """).plan(DT)).isEmpty();
  }

  @Test
  void rowsTheSchemaCannotHoldAreRejectedWithReasonAndColumnButNoValue() throws Exception {
    Collected got = readAll(connector("""
        table: users
        key_column: id
        columns:
          - {name: id, type: int}
          - {name: name, type: string, required: true}
          - {name: score, type: "decimal(5,2)"}
          - {name: big, type: int}
        """), DT);

    assertThat(got.rows).extracting(r -> r.get(0)).containsExactly(1);
    assertThat(got.rows.getFirst().get(2)).isEqualTo(new BigDecimal("1.50"));
    assertThat(got.rejected).containsExactly(
        new Rejected(2, Rejection.of("required_null", "column name: required, got null")),
        new Rejected(3, Rejection.of("scale_exceeded",
            "column score: decimal(5,2) allows at most 2 fraction digits; values are rejected, not rounded")),
        new Rejected(4, Rejection.of("precision_exceeded", "column score: decimal(5,2) allows at most 3 integer digits")),
        new Rejected(5, Rejection.of("out_of_range", "column big: int must be between -2147483648 and 2147483647")),
        new Rejected(6, Rejection.of("invalid_value",
            "column score: the driver cannot read it as decimal(5,2) (SQLState 22003)")));
  }

  static final String EVENTS = """
      table: events
      key_column: id
      watermark_column: updated_at
      columns:
        - {name: id, type: long}
        - {name: v, type: string, required: true}
        - {name: updated_at, type: timestamptz, required: true}
      """;

  @Test
  void incrementalRunsReadOnlyRowsNewOrChangedSinceThePreviousDatesWindow() throws Exception {
    JdbcConnector connector = connector(EVENTS);

    List<ExtractItem> first = connector.plan(DT);
    Collected day1 = new Collected();
    first.forEach(item -> connector.read(item, DT, day1));

    assertThat(day1.rows).extracting(r -> r.get(0)).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
    assertThat(first).allSatisfy(i -> assertThat(i.range().get("wm_max").asText())
        .isEqualTo("2026-11-24T20:00:00.123456Z"));

    sql("INSERT INTO events VALUES (8, 'late', '2026-11-24 23:00:00+00')",
        "UPDATE events SET v = 'changed', updated_at = '2026-11-25 01:00:00+00' WHERE id = 2");
    LocalDate next = DT.plusDays(1);
    List<ExtractItem> second = connector.plan(next);
    Collected day2 = new Collected();
    second.forEach(item -> connector.read(item, next, day2));

    assertThat(day2.rows).extracting(r -> r.get(0)).containsExactlyInAnyOrder(2L, 7L, 8L);
    assertThat(day2.rows).filteredOn(r -> r.get(0).equals(2L)).extracting(r -> r.get(1)).containsExactly("changed");
    assertThat(connector.plan(next)).as("a rerun plans the same window again, not an empty one").isEqualTo(second);
    assertThat(connector.plan(DT)).isEqualTo(first);
  }

  @Test
  void aMonotonicIdWatermarkReadsEverythingFirstThenOnlyHigherIdsAndNothingWrittenAfterPlanning()
      throws Exception {
    sql("CREATE TABLE public.ledger (id bigint PRIMARY KEY, seq bigint NOT NULL, v text)",
        "GRANT SELECT ON public.ledger TO reader",
        "INSERT INTO ledger VALUES (10, 1, 'a'), (20, 2, 'b'), (30, 3, 'c')");
    JdbcConnector connector = connector("""
        table: ledger
        key_column: id
        watermark_column: seq
        columns: [{name: id, type: long}, {name: seq, type: long}, {name: v, type: string}]
        """);

    List<ExtractItem> first = connector.plan(DT);
    sql("INSERT INTO ledger VALUES (25, 4, 'written after planning')");
    Collected run1 = new Collected();
    first.forEach(item -> connector.read(item, DT, run1));

    assertThat(run1.rows).extracting(r -> r.get(0)).containsExactly(10L, 20L, 30L);

    sql("UPDATE ledger SET seq = 5, v = 'b2' WHERE id = 20");
    List<ExtractItem> second = connector.plan(DT.plusDays(1));
    Collected run2 = new Collected();
    second.forEach(item -> connector.read(item, DT.plusDays(1), run2));

    assertThat(run2.rows).extracting(r -> r.get(0)).containsExactly(20L, 25L);
  }

  @Test
  void aQueryGetsTheRunDatesBoundsAsItsNamedParameters() throws Exception {
    Collected got = readAll(connector("""
        query: "SELECT id, v, updated_at::timestamptz AS updated_at FROM events WHERE updated_at >= :dt_start AND updated_at < :dt_end AND id < 6"
        key_column: id
        columns:
          - {name: id, type: long}
          - {name: v, type: string}
          - {name: updated_at, type: timestamptz}
        """), LocalDate.parse("2026-11-24"));

    List<Long> expected = new ArrayList<>();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM events WHERE updated_at >= '2026-11-24T00:00Z' "
            + "AND updated_at < '2026-11-25T00:00Z' AND id < 6 ORDER BY id")) {
      while (rs.next()) {
        expected.add(rs.getLong(1));
      }
    }
    assertThat(got.rows).extracting(r -> (Long) r.get(0)).isEqualTo(expected).isNotEmpty();
  }

  @Test
  void aWrongPasswordIsSourceUnavailableNamingSourceAndHostButNotThePassword() throws Exception {
    JdbcConnector connector = new JdbcConnector(JdbcSourceOptions.parse("pg_test", new YAMLMapper().readTree(
        "url: " + url() + "\ncredentials: env:PG_BAD\n" + EVENTS)), SECRETS, new MemoryWatermarks(), dt -> false);

    assertThatThrownBy(() -> connector.plan(DT))
        .isInstanceOf(SourceUnavailable.class)
        .hasMessage("source pg_test (localhost:" + pg.getPort() + "): the database refused the login from secret "
            + "env:PG_BAD (SQLState 28P01); fix the secret or the role's grants")
        .message().doesNotContain("wrong-pw-91c2");
  }

  @Test
  void aRefusedLoginForgetsTheCachedSecretSoTheRetryReadsARotatedOne() throws Exception {
    List<String> forgotten = new ArrayList<>();
    dev.featurepipe.aws.SecretResolver recording = new dev.featurepipe.aws.SecretResolver() {
      @Override
      public String resolve(String reference) {
        return SECRETS.resolve(reference);
      }

      @Override
      public void forget(String reference) {
        forgotten.add(reference);
      }
    };
    JdbcConnector refused = new JdbcConnector(JdbcSourceOptions.parse("pg_test", new YAMLMapper().readTree(
        "url: " + url() + "\ncredentials: env:PG_BAD\n" + EVENTS)), recording, new MemoryWatermarks(), dt -> false);
    JdbcConnector accepted = new JdbcConnector(options(EVENTS), recording, new MemoryWatermarks(), dt -> false);

    assertThatThrownBy(() -> refused.plan(DT)).isInstanceOf(SourceUnavailable.class);
    accepted.plan(DT);

    assertThat(forgotten).containsExactly("env:PG_BAD");
  }

  @Test
  void aSecretThatIsNotLoginJsonIsConfigInvalidWithoutItsValue() throws Exception {
    JdbcConnector connector = new JdbcConnector(JdbcSourceOptions.parse("pg_test", new YAMLMapper().readTree(
        "url: " + url() + "\ncredentials: env:PG_PLAIN\n" + EVENTS)), SECRETS, new MemoryWatermarks(), dt -> false);

    assertThatThrownBy(() -> connector.plan(DT))
        .isInstanceOf(dev.featurepipe.errors.ConfigInvalid.class)
        .hasMessage("sources[pg_test].options.credentials: the secret env:PG_PLAIN must be JSON with string fields "
            + "username and password")
        .hasNoCause()
        .message().doesNotContain("plain-pw-5d1e");
  }

  @Test
  void aClosedPortIsSourceUnavailableNamingSourceAndHost() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    JdbcConnector connector = new JdbcConnector(JdbcSourceOptions.parse("pg_test", new YAMLMapper().readTree(
        "url: jdbc:postgresql://127.0.0.1:" + closed + "/postgres\ncredentials: env:PG_LOGIN\n" + EVENTS)),
        SECRETS, new MemoryWatermarks(), dt -> false);

    assertThatThrownBy(() -> connector.plan(DT))
        .isInstanceOf(SourceUnavailable.class)
        .hasMessage("source pg_test (127.0.0.1:" + closed + "): cannot reach the database while connecting "
            + "(SQLState 08001); check that it is up and reachable from the function");
  }

  @Test
  void aMissingTableOrColumnIsSchemaIncompatibleNamingIt() throws Exception {
    assertThatThrownBy(() -> connector("""
        table: shop.nope
        key_column: id
        columns: [{name: id, type: long}]
        """).plan(DT))
        .isInstanceOf(SchemaIncompatible.class)
        .hasMessage("source pg_test (localhost:" + pg.getPort() + "): table shop.nope does not exist (SQLState 42P01)");

    JdbcConnector ghost = connector("""
        table: users
        key_column: id
        columns: [{name: id, type: int}, {name: ghost, type: string}]
        """);
    ExtractItem item = ghost.plan(DT).getFirst();
    assertThatThrownBy(() -> ghost.read(item, DT, new Collected()))
        .isInstanceOf(SchemaIncompatible.class)
        .hasMessage("source pg_test (localhost:" + pg.getPort() + "): table users has no column ghost (SQLState 42703)");
  }

  @Test
  void aColumnWhoseDatabaseTypeCannotHoldTheDeclaredTypeIsSchemaIncompatible() throws Exception {
    JdbcConnector connector = connector("""
        table: users
        key_column: id
        columns: [{name: id, type: int}, {name: name, type: long}, {name: score, type: timestamptz}]
        """);
    ExtractItem item = connector.plan(DT).getFirst();

    assertThatThrownBy(() -> connector.read(item, DT, new Collected()))
        .isInstanceOf(SchemaIncompatible.class)
        .hasMessage("source pg_test: name is text, which cannot hold long; score is numeric, which cannot hold "
            + "timestamptz; change the column's type in options.columns or the database");
  }
}
