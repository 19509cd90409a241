package dev.featurepipe.extract.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.featurepipe.aws.LocalSecrets;
import dev.featurepipe.errors.SchemaIncompatible;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.jdbc.JdbcConnectorTest.Collected;
import dev.featurepipe.extract.jdbc.JdbcConnectorTest.MemoryWatermarks;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC connector against a real MariaDB server (the machine's mariadbd, which {@code .ci/run}
 * installs; skipped with a reason where there is none): backtick quoting, utf8mb4 text, exact
 * decimals, TIMESTAMP read as an instant in UTC whatever the server's zone, a DATETIME refused as
 * timestamptz, key-range chunks and a time watermark.
 */
class MariaDbConnectorTest {

  static final LocalDate DT = LocalDate.parse("2026-11-24");
  static final String PASSWORD = "maria-reader-3c9e";
  static final LocalSecrets SECRETS = new LocalSecrets(Map.of(
      "MARIA_LOGIN", "{\"username\":\"" + MariaDbServer.USER + "\",\"password\":\"" + PASSWORD + "\"}",
      "MARIA_BAD", "{\"username\":\"" + MariaDbServer.USER + "\",\"password\":\"wrong-pw-0b7d\"}"));
  static final int BIG_ROWS = 30_000;

  @TempDir static Path dir;
  static MariaDbServer server;
  /** The rows of app.typed as inserted, by key: what the connector must read back. */
  static final List<Object[]> TYPED = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(MariaDbServer.available(), "no mariadbd on this machine (Debian: apt-get install mariadb-server; "
        + ".ci/run installs it)");
    server = MariaDbServer.start(dir, PASSWORD);
    try (Connection c = server.loaderConnection(PASSWORD); Statement s = c.createStatement()) {
      // A server zone far from UTC: TIMESTAMP values must still come back as the same instants.
      s.execute("SET time_zone = '+09:30'");
      s.execute("""
          CREATE TABLE typed (id BIGINT PRIMARY KEY, s VARCHAR(200), i INT, d DOUBLE, b BOOLEAN, day DATE,
            ts TIMESTAMP(6) NULL, amount DECIMAL(38,10), local_time DATETIME(6))""");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        add(ps, Long.MIN_VALUE, "", Integer.MIN_VALUE, -1.5e300, false, LocalDate.of(1000, 1, 1),
            OffsetDateTime.parse("1970-01-01T00:00:01Z"), new BigDecimal("-9999999999999999999999999999.9999999999"));
        add(ps, -1L, "héllo 中文 😀 ‮rtl `tick` \"dq\"", Integer.MAX_VALUE, 4.9e-324, true, LocalDate.of(9999, 12, 31),
            OffsetDateTime.parse("2026-03-29T01:59:59.999999Z"), new BigDecimal("9999999999999999999999999999.9999999999"));
        add(ps, 0L, null, null, null, null, null, null, null);
        // Not -0.0: MariaDB itself stores a negative zero DOUBLE as 0 (SELECT HEX(d) gives 0).
        add(ps, 7L, "tab\tand\nnewline", 0, -2.5e-308, false, LocalDate.of(2026, 11, 24),
            OffsetDateTime.parse("2026-11-24T23:59:59.000001Z"), new BigDecimal("0.0000000001"));
        add(ps, Long.MAX_VALUE, "max", 3, 1.7976931348623157e308, true, LocalDate.of(2000, 2, 29),
            OffsetDateTime.parse("2038-01-19T03:14:07Z"), new BigDecimal("123.4500000000"));
      }
      s.execute("CREATE TABLE events (id BIGINT PRIMARY KEY, v VARCHAR(20) NOT NULL, updated_at TIMESTAMP(6) NOT NULL)");
      s.execute("""
          INSERT INTO events VALUES (1, 'yesterday', '2026-11-24 09:29:59.999999'), (2, 'a', '2026-11-24 09:30:00'),
            (3, 'b', '2026-11-25 09:29:59.999999'), (4, 'tomorrow', '2026-11-25 09:30:00')""");
      s.execute("CREATE TABLE big (id BIGINT PRIMARY KEY, s VARCHAR(40) NOT NULL, amount DECIMAL(12,2) NOT NULL)");
      Random random = new Random(7);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO big VALUES (?, ?, ?)")) {
        for (int g = 1; g <= BIG_ROWS; g++) {
          ps.setLong(1, 3L * g + g % 7); // gaps, as real keys have
          ps.setString(2, "row-" + g);
          ps.setBigDecimal(3, BigDecimal.valueOf(random.nextInt(100_000_000), 2));
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
  }

  private static void add(PreparedStatement ps, Long id, String s, Integer i, Double d, Boolean b, LocalDate day,
      OffsetDateTime ts, BigDecimal amount) throws Exception {
    ps.setLong(1, id);
    ps.setObject(2, s);
    ps.setObject(3, i);
    ps.setObject(4, d);
    ps.setObject(5, b);
    ps.setObject(6, day);
    // The session zone is +09:30, so the instant is written as its local time there.
    ps.setObject(7, ts == null ? null : ts.atZoneSameInstant(java.time.ZoneId.of("+09:30")).toLocalDateTime());
    ps.setObject(8, amount);
    ps.setObject(9, null);
    ps.executeUpdate();
    TYPED.add(new Object[] {id, s, i, d, b, day, ts, amount == null ? null : amount.setScale(10)});
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static JdbcConnector connector(String body, String login) throws Exception {
    return new JdbcConnector(JdbcSourceOptions.parse("maria_test", new YAMLMapper().readTree(
        "url: " + server.jdbcUrl() + "\ncredentials: env:" + login + "\n" + body)), SECRETS, new MemoryWatermarks(),
        dt -> false);
  }

  static Collected readAll(JdbcConnector connector) {
    return JdbcConnectorTest.readAll(connector, DT);
  }

  @Test
  void everyCommonTypeIsReadExactlyWithInstantsInUtc() throws Exception {
    JdbcConnector connector = connector("""
        table: app.typed
        key_column: id
        chunk_rows: 2
        columns:
          - {name: id, type: long}
          - {name: s, type: string}
          - {name: i, type: int}
          - {name: d, type: double}
          - {name: b, type: boolean}
          - {name: day, type: date}
          - {name: ts, type: timestamptz}
          - {name: amount, type: "decimal(38,10)"}
        """, "MARIA_LOGIN");
    Collected read = readAll(connector);

    assertThat(read.rejected).isEmpty();
    List<Object[]> expected = new ArrayList<>(TYPED);
    expected.sort(java.util.Comparator.comparingLong(r -> (Long) r[0]));
    assertThat(read.rows).hasSize(expected.size());
    read.rows.sort(connector.bronzeOrder());
    for (int r = 0; r < expected.size(); r++) {
      Object[] want = expected.get(r);
      Record got = read.rows.get(r);
      for (int c = 0; c < want.length; c++) {
        Object value = got.get(c);
        if (want[c] instanceof OffsetDateTime t) {
          assertThat(value).as("row %s column %s", want[0], c).isEqualTo(t.withOffsetSameInstant(ZoneOffset.UTC));
        } else {
          assertThat(value).as("row %s column %s", want[0], c).isEqualTo(want[c]);
        }
      }
    }
  }

  @Test
  void keyRangeChunksOfABigTableReadEveryRowExactlyOnce() throws Exception {
    JdbcConnector connector = connector("""
        table: big
        key_column: id
        chunk_rows: 7000
        columns:
          - {name: id, type: long, required: true}
          - {name: s, type: string, required: true}
          - {name: amount, type: "decimal(12,2)", required: true}
        """, "MARIA_LOGIN");
    List<ExtractItem> items = connector.plan(DT);
    assertThat(items).hasSizeGreaterThanOrEqualTo(5);
    Collected read = readAll(connector);
    Set<Long> keys = new HashSet<>();
    read.rows.forEach(r -> keys.add((Long) r.getField("id")));
    assertThat(read.rows).hasSize(BIG_ROWS);
    assertThat(keys).hasSize(BIG_ROWS);
    Set<Long> inserted = new HashSet<>();
    for (int g = 1; g <= BIG_ROWS; g++) {
      inserted.add(3L * g + g % 7);
    }
    assertThat(keys).isEqualTo(inserted);
  }

  @Test
  void aTimeWatermarkTakesTheDaysRowsInUtcWhateverTheServersZone() throws Exception {
    // Written in the +09:30 session: 09:30 there is midnight UTC.
    JdbcConnector connector = connector("""
        table: events
        key_column: id
        watermark_column: updated_at
        columns:
          - {name: id, type: long, required: true}
          - {name: v, type: string, required: true}
          - {name: updated_at, type: timestamptz, required: true}
        """, "MARIA_LOGIN");
    assertThat(readAll(connector).rows).extracting(r -> r.getField("v")).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void aDatetimeColumnHasNoZoneSoItCannotBeATimestamptz() throws Exception {
    JdbcConnector connector = connector("""
        table: typed
        key_column: id
        columns:
          - {name: id, type: long}
          - {name: local_time, type: timestamptz}
        """, "MARIA_LOGIN");
    assertThatThrownBy(() -> readAll(connector))
        .isInstanceOf(SchemaIncompatible.class)
        .hasMessage("source maria_test: local_time is DATETIME, which cannot hold timestamptz; change the column's "
            + "type in options.columns or the database");
  }

  @Test
  void aMissingTableAndARefusedLoginAreTypedErrors() throws Exception {
    String columns = """
        key_column: id
        columns:
          - {name: id, type: long}
        """;
    assertThatThrownBy(() -> readAll(connector("table: nope\n" + columns, "MARIA_LOGIN")))
        .isInstanceOf(SchemaIncompatible.class)
        .hasMessageContaining("table nope does not exist (SQLState 42S02)");
    assertThatThrownBy(() -> readAll(connector("table: big\n" + columns, "MARIA_BAD")))
        .isInstanceOf(SourceUnavailable.class)
        .hasMessageContaining("the database refused the login from secret env:MARIA_BAD (SQLState 28000)")
        .hasMessageNotContaining("wrong-pw-0b7d");
  }
}
