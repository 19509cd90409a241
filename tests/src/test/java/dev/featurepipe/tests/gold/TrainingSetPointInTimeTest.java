package dev.featurepipe.tests.gold;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.gold.TrainingManifest;
import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point-in-time training sets through {@code statemachines/training.asl.json} on the embedded stack
 * (S3 server, JDBC Iceberg catalog, the local Step Functions runner with the real handlers), from
 * two Silver-like tables whose rows the test chooses: a string-keyed one with gaps and unicode keys,
 * and a long-keyed one with a decimal and a vector. Every training set is compared with the same join
 * computed by DuckDB's ASOF JOIN over the Silver data files of the pinned snapshots.
 */
class TrainingSetPointInTimeTest {

  static final LocalDate FIRST = LocalDate.parse("2026-03-01");
  static final int DAYS = 6; // 03-01 .. 03-06
  static final List<String> USERS = List.of("u1", "u2", "ü-Ω-日本", "\uD835\uDD18x", "u5", "q,\"x\"");
  static final String USER_TABLE = "toy_user_v1";
  static final String ACCOUNT_TABLE = "toy_account_v1";
  private static final AtomicInteger EXECUTIONS = new AtomicInteger();

  @TempDir Path dir;
  LocalPipeline local;
  ToySilver silver;
  Table users;
  Table accounts;

  /** One label row: what the CSV says and what it means. */
  record Label(String user, Long account, String timeText, Instant time, Long label) {}

  @BeforeEach
  void start() {
    local = LocalPipeline.start(RepoRoot.locate(), StackOptions.forTests(dir.resolve("stack")),
        ConfigLoader.loadBundled(), 2, UnaryOperator.identity());
    silver = new ToySilver(local);
    users = silver.create(USER_TABLE, new Schema(
        Types.NestedField.required(1, "user_id", Types.StringType.get()),
        Types.NestedField.required(2, "as_of", Types.DateType.get()),
        Types.NestedField.optional(3, "views_1d", Types.LongType.get()),
        Types.NestedField.optional(4, "ctr", Types.DoubleType.get()),
        Types.NestedField.optional(5, "recent", Types.ListType.ofRequired(7, Types.StringType.get())),
        Types.NestedField.required(6, "dt", Types.DateType.get())), "user_id");
    accounts = silver.create(ACCOUNT_TABLE, new Schema(
        Types.NestedField.required(1, "account_id", Types.LongType.get()),
        Types.NestedField.required(2, "as_of", Types.DateType.get()),
        Types.NestedField.optional(3, "spend_7d", Types.DecimalType.of(12, 2)),
        Types.NestedField.optional(4, "profile", Types.ListType.ofRequired(6, Types.FloatType.get())),
        Types.NestedField.required(5, "dt", Types.DateType.get())), "account_id");
    for (int d = 0; d < DAYS; d++) {
      LocalDate dt = FIRST.plusDays(d);
      silver.commitDay(users, dt, userRows(dt, 0));
      silver.commitDay(accounts, dt, accountRows(dt));
    }
  }

  @AfterEach
  void stop() {
    local.close();
  }

  /** u2 has no row on 03-03 and 03-04, u5 none before 03-05; u1's ctr is null on 03-02 (a row with a null). */
  List<Record> userRows(LocalDate dt, int bump) {
    List<Record> rows = new ArrayList<>();
    List<String> sorted = new ArrayList<>(USERS);
    Collections.sort(sorted);
    for (String u : sorted) {
      int i = USERS.indexOf(u);
      if ((u.equals("u2") && (dt.getDayOfMonth() == 3 || dt.getDayOfMonth() == 4))
          || (u.equals("u5") && dt.getDayOfMonth() < 5)) {
        continue;
      }
      GenericRecord r = GenericRecord.create(users.schema());
      long views = views(u, dt) + bump;
      r.setField("user_id", u);
      r.setField("as_of", dt);
      r.setField("views_1d", views);
      r.setField("ctr", u.equals("u1") && dt.getDayOfMonth() == 2 ? null : (i + 1) / (double) views);
      r.setField("recent", List.of("d" + dt.getDayOfMonth(), u));
      r.setField("dt", dt);
      rows.add(r);
    }
    return rows;
  }

  static long views(String user, LocalDate dt) {
    return dt.getDayOfMonth() * 100L + USERS.indexOf(user);
  }

  /** Account 3 only on 03-01 and 03-06; account 4 never. */
  List<Record> accountRows(LocalDate dt) {
    List<Record> rows = new ArrayList<>();
    for (long a = 1; a <= 3; a++) {
      if (a == 3 && dt.getDayOfMonth() != 1 && dt.getDayOfMonth() != 6) {
        continue;
      }
      GenericRecord r = GenericRecord.create(accounts.schema());
      r.setField("account_id", a);
      r.setField("as_of", dt);
      r.setField("spend_7d", BigDecimal.valueOf(a * 1000 + dt.getDayOfMonth(), 2));
      r.setField("profile", List.of(a / 3.0f, dt.getDayOfMonth() / 7.0f));
      r.setField("dt", dt);
      rows.add(r);
    }
    return rows;
  }

  /** Day boundaries, offsets, before and after any feature, gaps, duplicates, a null label; then seeded random rows. */
  static List<Label> labels() {
    List<Label> out = new ArrayList<>();
    out.add(label("u1", 1L, "2026-03-05T00:00:00Z", 1L));
    out.add(label("u1", 1L, "2026-03-04T23:59:59.999999Z", 0L));
    out.add(label("u2", 2L, "2026-03-05T13:00:00+02:00", 1L));
    out.add(label("ü-Ω-日本", 3L, "2026-03-05T00:30:00+01:00", 0L));
    out.add(label("\uD835\uDD18x", 2L, "2026-03-01T12:00:00Z", 1L));
    out.add(label("u5", 4L, "2026-02-27T00:00:00Z", 0L));
    out.add(label("u1", 1L, "2026-03-07 00:00:00+00:00", 1L));
    out.add(label("u1", 1L, "2026-03-09T08:00:00Z", 1L));
    out.add(label("u1", 1L, "2026-03-05T00:00:00Z", 1L));
    out.add(label("u1", 1L, "2026-03-02T00:00:00Z", null));
    out.add(label("q,\"x\"", 3L, "2026-03-07T00:00:00Z", 1L));
    Random random = new Random(42);
    List<String> who = new ArrayList<>(USERS);
    who.add("ghost");
    String[] offsets = {"Z", "+05:30", "-08:00", "+00:00"};
    for (int i = 0; i < 400; i++) {
      Instant t = Instant.parse("2026-02-27T00:00:00Z").plusSeconds(random.nextInt(11 * 86_400));
      if (i % 25 == 0) {
        t = t.truncatedTo(ChronoUnit.DAYS); // exactly on a boundary
      }
      String offset = offsets[random.nextInt(offsets.length)];
      ZoneOffset zone = offset.equals("Z") ? ZoneOffset.UTC : ZoneOffset.of(offset);
      String text = OffsetDateTime.ofInstant(t, zone).toString();
      out.add(new Label(who.get(random.nextInt(who.size())), 1L + random.nextInt(5), text, t,
          (long) random.nextInt(2)));
    }
    return out;
  }

  static Label label(String user, Long account, String text, Long label) {
    return new Label(user, account, text, OffsetDateTime.parse(text.replace(' ', 'T')).toInstant(), label);
  }

  /** Rows that must be quarantined, by reason: null_entity 2, invalid_entity 1, null_label_time 1, invalid_label_time 3, invalid_label 1. */
  static final List<String> BAD_ROWS = List.of(
      ",1,2026-03-05T00:00:00Z,1",
      "u1,,2026-03-05T00:00:00Z,1",
      "u1,abc,2026-03-05T00:00:00Z,1",
      "u1,1,,1",
      "u1,1,yesterday,0",
      "u1,1,2026-03-05T10:00:00,0",
      "u1,1,2026-03-05,0",
      "u1,1,2026-03-05T10:00:00Z,maybe");

  static String csv(List<Label> labels, boolean withBadRows) {
    StringBuilder b = new StringBuilder("user_id,account_id,label_time,label\n");
    List<String> lines = new ArrayList<>();
    for (Label l : labels) {
      lines.add(quote(l.user()) + "," + l.account() + "," + l.timeText() + "," + (l.label() == null ? "" : l.label()));
    }
    if (withBadRows) {
      for (int i = 0; i < BAD_ROWS.size(); i++) {
        lines.add(7 + i * 13, BAD_ROWS.get(i)); // spread through the file
      }
    }
    lines.forEach(l -> b.append(l).append('\n'));
    return b.toString();
  }

  static String quote(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  String putLabels(String name, byte[] bytes) {
    String key = "labels/test/" + name;
    silver.lake().put(key, bytes, 0, "text/csv");
    return "s3://" + silver.lake().bucket() + "/" + key;
  }

  ExecutionResult train(String uri, String runId, Map<String, Long> pins, String labelType) {
    ObjectNode input = Json.mapper().createObjectNode().put("modelVersion", "mv1");
    if (runId != null) {
      input.put("runId", runId);
    }
    ObjectNode source = input.putObject("labels").put("uri", uri);
    if (labelType != null) {
      source.put("labelType", labelType);
    }
    input.putArray("groups").add(USER_TABLE).add(ACCOUNT_TABLE);
    ObjectNode p = input.putObject("snapshotIds");
    pins.forEach(p::put);
    input.put("rowsPerPart", 37).put("partConcurrency", 3);
    return local.run(LocalPipeline.TRAINING, "train-" + EXECUTIONS.incrementAndGet(), input);
  }

  TrainingManifest manifestOf(ExecutionResult r) {
    assertThat(r.status()).as(r.error().orElse("") + " " + r.cause().orElse("")).isEqualTo("SUCCEEDED");
    return silver.lake().getJson(r.output().get("manifest").get("key").asText(), TrainingManifest.class);
  }

  /** SHA-256 of each part file as downloaded, in manifest order. */
  List<String> downloadedHashes(TrainingManifest m) {
    return m.files().stream().map(f -> Hashing.sha256Hex(silver.lake().get(f.key()))).toList();
  }

  Path downloadGold(TrainingManifest m, String name) throws Exception {
    Path out = Files.createDirectories(dir.resolve(name));
    for (int i = 0; i < m.files().size(); i++) {
      Files.write(out.resolve(String.format("part-%05d.parquet", i)), silver.lake().get(m.files().get(i).key()));
    }
    return out;
  }

  Map<String, Long> pins(TrainingManifest m) {
    Map<String, Long> out = new TreeMap<>();
    m.groups().forEach(g -> out.put(g.group(), g.snapshotId()));
    return out;
  }

  // ------------------------------------------------------------------------------------------ tests

  @Test
  void trainingSetEqualsDuckDbAsofJoinAtTheLatestCompleteDayWithNullsForGapsAndEarlyLabels() throws Exception {
    List<Label> labels = labels();
    TrainingManifest m = manifestOf(train(putLabels("labels.csv", csv(labels, true).getBytes(StandardCharsets.UTF_8)),
        null, Map.of(), "long"));

    assertThat(m.rows()).isEqualTo(labels.size());
    assertThat(m.files()).hasSize((labels.size() + 36) / 37);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET threads = 1");
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE TABLE l0 (rid INTEGER, user_id VARCHAR, account_id BIGINT, t_us BIGINT, label BIGINT)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO l0 VALUES (?, ?, ?, ?, ?)")) {
        for (int i = 0; i < labels.size(); i++) {
          Label l = labels.get(i);
          ps.setInt(1, i);
          ps.setString(2, l.user());
          ps.setLong(3, l.account());
          ps.setLong(4, ChronoUnit.MICROS.between(Instant.EPOCH, l.time()));
          ps.setObject(5, l.label());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      oracle(s, m, downloadGold(m, "gold"));

      assertThat(count(s, "SELECT count(*) FROM g")).isEqualTo(labels.size());
      assertThat(count(s, "SELECT count(*) FROM (SELECT * FROM g EXCEPT ALL SELECT * FROM o)"))
          .as(sample(s, "SELECT * FROM g EXCEPT ALL SELECT * FROM o")).isZero();
      assertThat(count(s, "SELECT count(*) FROM (SELECT * FROM o EXCEPT ALL SELECT * FROM g)"))
          .as(sample(s, "SELECT * FROM o EXCEPT ALL SELECT * FROM g")).isZero();
      // The data exercises each case: features found, a gap where plain ASOF would take an earlier day,
      // labels before any feature, and a found row whose feature is null.
      assertThat(count(s, "SELECT count(*) FROM o WHERE views_1d IS NOT NULL")).isGreaterThan(100);
      assertThat(count(s, "SELECT count(*) FROM la WHERE adt IS NOT NULL AND adt <> fd")).isGreaterThan(10);
      assertThat(count(s, "SELECT count(*) FROM o WHERE feature_date < DATE '2026-03-01'")).isGreaterThan(10);
      assertThat(count(s, "SELECT count(*) FROM o WHERE views_1d IS NOT NULL AND ctr IS NULL")).isPositive();

      // Spot checks by hand, independent of both joins.
      assertThat(values(s, "u1", "2026-03-05T00:00:00Z"))
          .containsExactly("2026-03-04", String.valueOf(views("u1", LocalDate.parse("2026-03-04"))), "10.04");
      assertThat(values(s, "u1", "2026-03-04T23:59:59.999999Z"))
          .containsExactly("2026-03-03", String.valueOf(views("u1", LocalDate.parse("2026-03-03"))), "10.03");
      assertThat(values(s, "u2", "2026-03-05T11:00:00Z")).containsExactly("2026-03-04", null, "20.04");
      assertThat(values(s, "ü-Ω-日本", "2026-03-04T23:30:00Z")).containsExactly("2026-03-03",
          String.valueOf(views("ü-Ω-日本", LocalDate.parse("2026-03-03"))), null);
      assertThat(values(s, "\uD835\uDD18x", "2026-03-01T12:00:00Z")).containsExactly("2026-02-28", null, null);
      assertThat(values(s, "u1", "2026-03-09T08:00:00Z")).containsExactly("2026-03-08", null, null);
      assertThat(values(s, "q,\"x\"", "2026-03-07T00:00:00Z")).containsExactly("2026-03-06",
          String.valueOf(views("q,\"x\"", LocalDate.parse("2026-03-06"))), "30.06");
    }

    // Rows are in the total order: label time, then keys (user, account), then label, nulls first.
    Schema schema = SchemaParser.fromJson(m.schema());
    List<Record> rows = new ArrayList<>();
    for (FileEntry f : m.files()) {
      rows.addAll(ParquetFiles.read(silver.lake().get(f.key()), schema));
    }
    Comparator<Record> order = Comparator.comparing((Record r) -> (OffsetDateTime) r.getField("label_time"))
        .thenComparing(r -> (String) r.getField("user_id"))
        .thenComparing(r -> (Long) r.getField("account_id"))
        .thenComparing(r -> (Long) r.getField("label"), Comparator.nullsFirst(Comparator.naturalOrder()));
    assertThat(rows).isSortedAccordingTo(order);
  }

  /** o: DuckDB's ASOF JOIN with the exact-day rule; g: our files as DuckDB reads them. Same columns. */
  void oracle(Statement s, TrainingManifest m, Path gold) throws SQLException {
    long userSnapshot = m.groups().get(0).snapshotId();
    long accountSnapshot = m.groups().get(1).snapshotId();
    Path a = silver.download(users, userSnapshot, dir.resolve("silver-a-" + userSnapshot));
    Path b = silver.download(accounts, accountSnapshot, dir.resolve("silver-b-" + accountSnapshot));
    s.execute("CREATE OR REPLACE TABLE l AS SELECT rid, user_id, account_id, make_timestamp(t_us) AS t, label,"
        + " CAST(make_timestamp(t_us) AS DATE) - 1 AS fd FROM l0");
    s.execute("CREATE OR REPLACE TABLE a AS SELECT *, CAST(dt AS TIMESTAMP) + INTERVAL 1 DAY AS complete_at"
        + " FROM read_parquet('" + a + "/*.parquet')");
    s.execute("CREATE OR REPLACE TABLE b AS SELECT *, CAST(dt AS TIMESTAMP) + INTERVAL 1 DAY AS complete_at"
        + " FROM read_parquet('" + b + "/*.parquet')");
    // ASOF picks the entity's latest day complete at the label time; a day other than fd is a gap: nulls.
    s.execute("CREATE OR REPLACE TABLE la AS SELECT l.rid, l.fd, a.dt AS adt, a.views_1d, a.ctr, a.recent"
        + " FROM l ASOF LEFT JOIN a ON l.user_id = a.user_id AND l.t >= a.complete_at");
    s.execute("CREATE OR REPLACE TABLE lb AS SELECT l.rid, l.fd, b.dt AS bdt, b.spend_7d, b.profile"
        + " FROM l ASOF LEFT JOIN b ON l.account_id = b.account_id AND l.t >= b.complete_at");
    s.execute("CREATE OR REPLACE TABLE o AS SELECT l.user_id, l.account_id, epoch_us(l.t) AS t_us, l.label,"
        + " l.fd AS feature_date,"
        + " CASE WHEN la.adt = l.fd THEN la.views_1d END AS views_1d,"
        + " CASE WHEN la.adt = l.fd THEN la.ctr END AS ctr,"
        + " CASE WHEN la.adt = l.fd THEN la.recent END AS recent,"
        + " CASE WHEN lb.bdt = l.fd THEN lb.spend_7d END AS spend_7d,"
        + " CASE WHEN lb.bdt = l.fd THEN lb.profile END AS profile"
        + " FROM l JOIN la USING (rid) JOIN lb USING (rid)");
    s.execute("CREATE OR REPLACE TABLE g AS SELECT user_id, account_id, epoch_us(label_time) AS t_us, label,"
        + " feature_date, toy_user_v1__views_1d AS views_1d, toy_user_v1__ctr AS ctr,"
        + " toy_user_v1__recent AS recent, toy_account_v1__spend_7d AS spend_7d,"
        + " toy_account_v1__profile AS profile FROM read_parquet('" + gold + "/*.parquet')");
  }

  /** feature_date, views_1d and spend_7d of the (first) row of {@code user} at {@code time}, as text. */
  static List<String> values(Statement s, String user, String time) throws SQLException {
    String sql = "SELECT CAST(feature_date AS VARCHAR), CAST(views_1d AS VARCHAR), CAST(spend_7d AS VARCHAR) FROM g"
        + " WHERE user_id = '" + user.replace("'", "''") + "' AND t_us = epoch_us(TIMESTAMPTZ '" + time + "') LIMIT 1";
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as("a row for %s at %s", user, time).isTrue();
      List<String> out = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        out.add(rs.getString(i));
      }
      return out;
    }
  }

  static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String sample(Statement s, String sql) throws SQLException {
    StringBuilder b = new StringBuilder();
    try (ResultSet rs = s.executeQuery(sql + " LIMIT 5")) {
      while (rs.next()) {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          b.append(rs.getString(i)).append(i == rs.getMetaData().getColumnCount() ? "\n" : " | ");
        }
      }
    }
    return b.toString();
  }

  @Test
  void unusableLabelRowsAreQuarantinedWithReasonsAndCountedNotDropped() {
    List<Label> labels = labels();
    String csv = csv(labels, true);
    TrainingManifest m = manifestOf(train(putLabels("bad.csv", csv.getBytes(StandardCharsets.UTF_8)), null, Map.of(),
        "long"));

    assertThat(m.labels().rows()).isEqualTo(labels.size() + BAD_ROWS.size());
    assertThat(m.labels().used()).isEqualTo(labels.size());
    assertThat(m.labels().quarantined()).isEqualTo(8);
    assertThat(m.labels().rejectReasons()).containsExactlyInAnyOrderEntriesOf(Map.of("null_entity", 2L,
        "invalid_entity", 1L, "null_label_time", 1L, "invalid_label_time", 3L, "invalid_label", 1L));
    List<JsonNode> lines = silver.lake().get(m.labels().quarantineKey()).length == 0 ? List.of()
        : new String(silver.lake().get(m.labels().quarantineKey()), StandardCharsets.UTF_8).lines()
            .map(l -> Json.read(l.getBytes(StandardCharsets.UTF_8), JsonNode.class)).toList();
    assertThat(lines).hasSize(8);
    // Positions are data row numbers: the bad rows were inserted at list positions 7, 20, 33, ...
    List<String> dataRows = csv.lines().skip(1).toList();
    for (JsonNode line : lines) {
      String row = dataRows.get(line.get("position").asInt() - 1);
      assertThat(BAD_ROWS).contains(row);
    }
    assertThat(lines).anySatisfy(l -> assertThat(l.get("detail").asText())
        .isEqualTo("column label_time: \"2026-03-05T10:00:00\" has no UTC offset; write it like"
            + " 2026-03-05T13:00:00Z (a guessed zone could leak a day)"));
    assertThat(lines).anySatisfy(l -> assertThat(l.get("detail").asText())
        .isEqualTo("column account_id: \"abc\" is not a long entity key"));
  }

  @Test
  void rebuildAtPinnedSnapshotsIsByteIdenticalAfterALaterSilverCommit() throws Exception {
    List<Label> labels = labels();
    String uri = putLabels("labels.csv", csv(labels, false).getBytes(StandardCharsets.UTF_8));
    TrainingManifest first = manifestOf(train(uri, null, Map.of(), "long"));
    List<String> firstHashes = downloadedHashes(first);

    // Same inputs under another run id, and the labels in another row order: the same bytes.
    List<Label> shuffled = new ArrayList<>(labels);
    Collections.shuffle(shuffled, new Random(7));
    TrainingManifest again = manifestOf(train(putLabels("shuffled.csv",
        csv(shuffled, false).getBytes(StandardCharsets.UTF_8)), "rebuild-1", pins(first), "long"));
    assertThat(downloadedHashes(again)).isEqualTo(firstHashes);
    assertThat(again.files().stream().map(FileEntry::sha256).toList()).isEqualTo(firstHashes);

    // A later Silver commit changes 03-04 for every user.
    long before = users.currentSnapshot().snapshotId();
    long after = silver.commitDay(users, LocalDate.parse("2026-03-04"), userRows(LocalDate.parse("2026-03-04"), 5000));
    assertThat(after).isNotEqualTo(before);

    TrainingManifest current = manifestOf(train(uri, "current", Map.of(), "long"));
    assertThat(current.groups().get(0).snapshotId()).isEqualTo(after);
    assertThat(downloadedHashes(current)).isNotEqualTo(firstHashes);

    TrainingManifest pinned = manifestOf(train(uri, "pinned", pins(first), "long"));
    assertThat(pinned.groups().get(0).snapshotId()).isEqualTo(before);
    assertThat(downloadedHashes(pinned)).isEqualTo(firstHashes);

    // The same run again (default run id: same config, labels and snapshots) lands on the same keys.
    TrainingManifest same = manifestOf(train(uri, null, pins(first), "long"));
    assertThat(same.runId()).isEqualTo(first.runId());
    assertThat(same.files()).isEqualTo(first.files());
    assertThat(silver.lake().list("gold/model_version=mv1/run_id=" + first.runId() + "/"))
        .hasSize(first.files().size() + 1);
  }

  @Test
  void parquetLabelsWithTheSameRowsGiveTheSameBytesAsCsv() throws Exception {
    List<Label> labels = labels();
    TrainingManifest fromCsv = manifestOf(train(putLabels("labels.csv",
        csv(labels, false).getBytes(StandardCharsets.UTF_8)), null, Map.of(), "long"));
    Path parquet = dir.resolve("labels.parquet");
    Path naive = dir.resolve("naive.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE TABLE l0 (user_id VARCHAR, account_id BIGINT, t_us BIGINT, label BIGINT)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO l0 VALUES (?, ?, ?, ?)")) {
        for (Label l : labels) {
          ps.setString(1, l.user());
          ps.setLong(2, l.account());
          ps.setLong(3, ChronoUnit.MICROS.between(Instant.EPOCH, l.time()));
          ps.setObject(4, l.label());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      s.execute("COPY (SELECT user_id, account_id, CAST(make_timestamp(t_us) AS TIMESTAMPTZ) AS label_time, label"
          + " FROM l0) TO '" + parquet + "' (FORMAT parquet)");
      s.execute("COPY (SELECT user_id, account_id, make_timestamp(t_us) AS label_time, label FROM l0) TO '" + naive
          + "' (FORMAT parquet)");
    }
    TrainingManifest fromParquet = manifestOf(train(putLabels("labels.parquet", Files.readAllBytes(parquet)), null,
        Map.of(), null));
    assertThat(downloadedHashes(fromParquet)).isEqualTo(downloadedHashes(fromCsv));

    ExecutionResult refused = train(putLabels("naive.parquet", Files.readAllBytes(naive)), null, Map.of(), null);
    assertThat(refused.status()).isEqualTo("FAILED");
    assertThat(refused.error()).contains("dev.featurepipe.errors.InvalidInput");
    assertThat(refused.cause().orElse("")).contains("column label_time is a timestamp without time zone");
  }

  @Test
  void unknownGroupAndMissingSnapshotFailAsInvalidInputNamingWhatIsThere() {
    String uri = putLabels("labels.csv", csv(labels(), false).getBytes(StandardCharsets.UTF_8));
    ObjectNode input = Json.mapper().createObjectNode().put("modelVersion", "mv1");
    input.putObject("labels").put("uri", uri).put("labelType", "long");
    input.putArray("groups").add("nope_v1");
    ExecutionResult unknown = local.run(LocalPipeline.TRAINING, "train-unknown", input);
    assertThat(unknown.status()).isEqualTo("FAILED");
    assertThat(unknown.error()).contains("dev.featurepipe.errors.InvalidInput");
    assertThat(unknown.cause().orElse("")).contains("no Silver table featurepipe.nope_v1")
        .contains("[toy_account_v1, toy_user_v1]");

    ExecutionResult expired = train(uri, null, Map.of(USER_TABLE, 12345L), "long");
    assertThat(expired.status()).isEqualTo("FAILED");
    assertThat(expired.error()).contains("dev.featurepipe.errors.InvalidInput");
    assertThat(expired.cause().orElse("")).contains("has no snapshot 12345");
    assertThat(silver.lake().list("gold/")).isEmpty();
  }

}
