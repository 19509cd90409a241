package dev.featurepipe.tests.connectors.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.aws.LocalSecrets;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.SchemaIncompatible;
import dev.featurepipe.errors.SourceObjectCorrupt;
import dev.featurepipe.errors.SourceObjectMissing;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.aws.AwsSettings;
import java.net.URI;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;
import dev.featurepipe.extract.CheckpointStore;
import dev.featurepipe.extract.ConnectorContext;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.extract.files.FilesConnector;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.StackOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The files connector against the embedded S3 server: real objects, real ranged GETs. */
class FilesConnectorTest {

  static final LocalDate DT = LocalDate.of(2019, 10, 1);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir static Path tempDir;
  static EmbeddedStack stack;
  static AwsClients clients;
  static S3Client s3;
  static String bucket;

  @BeforeAll
  static void start() {
    stack = EmbeddedStack.start(StackOptions.forTests(tempDir));
    clients = new AwsClients(stack.awsSettings());
    s3 = clients.s3();
    bucket = stack.options().sourceBucket();
  }

  @AfterAll
  static void stop() {
    clients.close();
    stack.close();
  }

  /** What a read sent to the sink, in the order it was sent. */
  static final class Collected implements SourceConnector.RowSink {
    final List<Record> rows = new ArrayList<>();
    final List<Rejected> rejected = new ArrayList<>();

    @Override
    public void row(Record row) {
      rows.add(row);
    }

    @Override
    public void reject(long position, Rejection rejection, String raw) {
      rejected.add(new Rejected(position, rejection.reason(), rejection.detail(), raw));
    }
  }

  record Rejected(long position, String reason, String detail, String raw) {}

  static FilesConnector connector(String id, String optionsYaml) {
    try {
      SourceConfig source = new SourceConfig(id, "s3_files", null, null, YAML.readTree(optionsYaml));
      ConnectorContext ctx = new ConnectorContext(s3, bucket, stack.options().lakeBucket(),
          new CheckpointStore(clients.dynamoDb(), stack.options().controlTable()), new LocalSecrets(Map.of()));
      return FilesConnector.create(source, ctx);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void put(String key, byte[] bytes) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
  }

  static Collected readAll(SourceConnector c, List<ExtractItem> items) {
    Collected out = new Collected();
    for (ExtractItem item : items) {
      c.read(item, DT, out);
    }
    return out;
  }

  static String csvQuote(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  static long offsetOf(byte[] data, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= data.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (data[i + j] != n[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not in data: " + needle);
  }


  @Test
  void quotedCsvCellsKeepTheirNewlinesCommasAndQuotes() {
    String csv = "id,comment,amount\r\n"
        + "1,\"line one\nline two\",1.50\r\n"
        + "2,\"a, b and \"\"c\"\"\",2\r\n"
        + "3,,\r\n";
    put("quoted/dt=2019-10-01/part-0.csv", csv.getBytes(StandardCharsets.UTF_8));
    FilesConnector c = connector("quoted", """
        prefix: quoted/
        format: csv
        fields:
          - {name: id, type: long, required: true}
          - {name: comment, type: string}
          - {name: amount, type: "decimal(10,2)"}
        key: [id]
        """);

    Collected got = readAll(c, c.plan(DT));

    assertThat(got.rejected).isEmpty();
    assertThat(got.rows).extracting(r -> r.getField("comment"))
        .containsExactly("line one\nline two", "a, b and \"c\"", null);
    assertThat(got.rows).extracting(r -> r.getField("amount"))
        .containsExactly(new BigDecimal("1.50"), new BigDecimal("2.00"), null);
    assertThat(got.rows).extracting(r -> r.getField("_source_position"))
        .containsExactly(offsetOf(csv.getBytes(StandardCharsets.UTF_8), "1,\""),
            offsetOf(csv.getBytes(StandardCharsets.UTF_8), "2,\""),
            offsetOf(csv.getBytes(StandardCharsets.UTF_8), "3,,"));
  }

  @Test
  void isoLatin1CsvDecodesAccentedTextWithACustomDelimiter() {
    String csv = "ville;pays\nZürich;Schweiz\nSão Paulo;Brasil\n";
    put("latin/dt=2019-10-01/cities.csv", csv.getBytes(StandardCharsets.ISO_8859_1));
    FilesConnector c = connector("latin", """
        prefix: latin/
        format: csv
        csv: {delimiter: ";", encoding: ISO-8859-1}
        fields:
          - {name: city, source: ville, type: string, required: true}
          - {name: country, source: pays, type: string}
        """);

    Collected got = readAll(c, c.plan(DT));

    assertThat(got.rejected).isEmpty();
    assertThat(got.rows).extracting(r -> r.getField("city")).containsExactly("Zürich", "São Paulo");
  }

  @Test
  void ecommerceEventsCsvLoadsWithValueMapsAndATimestampFormat() {
    // The column layout of the public "eCommerce behavior data from multi category store" (REES46) export.
    String csv = "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n"
        + "2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,35.79,541312140,72d76fde-8bb3-4e00-8c23-a032dfed738c\n"
        + "2019-10-01 00:00:05 UTC,cart,3900821,2053013552326770905,appliances.environment.water_heater,aqua,33.20,554748717,9333dfbd-b87a-4708-9857-6336556b0fcc\n"
        + "2019-10-01 00:00:08 UTC,purchase,17200506,2053013559792632471,furniture.living_room.sofa,,543.10,519107250,566511c2-e2e3-422b-b695-cf8e6e792ca8\n";
    put("rees46/dt=2019-10-01/2019-Oct.csv", csv.getBytes(StandardCharsets.UTF_8));
    FilesConnector c = connector("rees46", ECOMMERCE);

    Collected got = readAll(c, c.plan(DT));

    assertThat(got.rejected).isEmpty();
    assertThat(got.rows).extracting(r -> r.getField("event_type"))
        .containsExactly("view", "add_to_cart", "purchase");
    assertThat(got.rows).extracting(r -> r.getField("event_time")).containsExactly(
        OffsetDateTime.of(2019, 10, 1, 0, 0, 0, 0, ZoneOffset.UTC),
        OffsetDateTime.of(2019, 10, 1, 0, 0, 5, 0, ZoneOffset.UTC),
        OffsetDateTime.of(2019, 10, 1, 0, 0, 8, 0, ZoneOffset.UTC));
    assertThat(got.rows).extracting(r -> r.getField("category_code"))
        .containsExactly(null, "appliances.environment.water_heater", "furniture.living_room.sofa");
    assertThat(got.rows.get(2).getField("price")).isEqualTo(new BigDecimal("543.10"));
    assertThat(got.rows.get(0).getField("category_id")).isEqualTo(2103807459595387724L);
  }

  static final String ECOMMERCE = """
      prefix: rees46/
      format: csv
      fields:
        - {name: event_time, type: timestamptz, required: true, timestamp_format: "yyyy-MM-dd HH:mm:ss 'UTC'"}
        - name: event_type
          type: string
          required: true
          values: {view: view, cart: add_to_cart, purchase: purchase}
        - {name: product_id, type: long, required: true}
        - {name: category_id, type: long}
        - {name: category_code, type: string}
        - {name: brand, type: string}
        - {name: price, type: "decimal(12,2)", required: true}
        - {name: user_id, type: long, required: true}
        - {name: user_session, type: string}
      key: [event_time, user_id]
      """;

  @Test
  void badCsvRowsAreRejectedWithExactReasonsPositionsAndRawText() {
    String header = "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n";
    String ok = "2019-10-01 00:00:00 UTC,view,1,2,,b,1.00,7,s\n";
    String unmapped = "2019-10-01 00:00:01 UTC,remove_from_cart,1,2,,b,1.00,7,s\n";
    String badPrice = "2019-10-01 00:00:02 UTC,view,1,2,,b,abc,7,s\n";
    String isoTime = "2019-10-01T00:00:03Z,view,1,2,,b,1.00,7,s\n";
    String noUser = "2019-10-01 00:00:04 UTC,view,1,2,,b,1.00,,s\n";
    String short_ = "2019-10-01 00:00:05 UTC,view,1\n";
    String tooPrecise = "2019-10-01 00:00:06 UTC,view,1,2,,b,1.005,7,s\n";
    String strayQuote = "2019-10-01 00:00:07 UTC,view,1,2,,b\"x,1.00,7,s\n";
    String csv = header + ok + unmapped + badPrice + isoTime + noUser + short_ + tooPrecise + strayQuote;
    byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
    put("rees46/dt=2019-10-02/bad.csv", bytes);
    FilesConnector c = connector("rees46", ECOMMERCE);

    Collected got = readAll(c, c.plan(LocalDate.of(2019, 10, 2)));

    assertThat(got.rows).hasSize(1);
    assertThat(got.rejected).containsExactly(
        new Rejected(offsetOf(bytes, unmapped), "unmapped_value",
            "event_type: must be one of the values keys [cart, purchase, view]", unmapped.strip()),
        new Rejected(offsetOf(bytes, badPrice), "bad_value", "price: must be a decimal(12, 2) number", badPrice.strip()),
        new Rejected(offsetOf(bytes, isoTime), "bad_value",
            "event_time: must be a timestamp like yyyy-MM-dd HH:mm:ss 'UTC'", isoTime.strip()),
        new Rejected(offsetOf(bytes, noUser), "missing_field", "user_id: is required", noUser.strip()),
        new Rejected(offsetOf(bytes, short_), "field_count", "record has 3 fields, the header has 9", short_.strip()),
        new Rejected(offsetOf(bytes, tooPrecise), "bad_value", "price: must be a decimal(12, 2) number",
            tooPrecise.strip()),
        // The stray quote opens a quoted section that never closes, so its record runs to the end of
        // the object, final newline included; one rejection, nothing dropped.
        new Rejected(offsetOf(bytes, strayQuote), "csv_malformed", "column 6: quote inside an unquoted field",
            strayQuote));
  }

  @Test
  void csvWithoutAFieldTheConfigNamesFailsTheChunkNamingTheColumn() {
    put("nocol/dt=2019-10-01/a.csv", "id,x\n1,2\n".getBytes(StandardCharsets.UTF_8));
    FilesConnector c = connector("nocol", """
        prefix: nocol/
        format: csv
        fields:
          - {name: id, type: long}
          - {name: y, type: long}
        """);

    assertThatThrownBy(() -> readAll(c, c.plan(DT)))
        .isInstanceOf(SchemaIncompatible.class)
        .hasMessage("s3://" + bucket + "/nocol/dt=2019-10-01/a.csv: CSV header has no column y "
            + "(sources[nocol].options.fields[1]); the header is [id, x]");
  }


  /** A generated CSV record and the values the connector must read back. */
  record Row(long id, String text, BigDecimal amount) {}

  static String randomText(Random rnd) {
    String[] parts = {"plain", "comma, inside", "quote \"q\"", "new\nline", "crlf\r\ninside", "ünïcödé", ""};
    StringBuilder sb = new StringBuilder();
    int n = 1 + rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      sb.append(parts[rnd.nextInt(parts.length)]).append(rnd.nextInt(1000));
    }
    return sb.toString();
  }

  @Test
  void tinySplitOverAQuotedCsvReadsEveryGeneratedRecordExactlyOnce() {
    Random rnd = new Random(20191001L);
    List<Row> expected = new ArrayList<>();
    StringBuilder csv = new StringBuilder("id,text,amount\n");
    for (long id = 1; csv.length() < 1_000_000; id++) {
      Row r = new Row(id, randomText(rnd), BigDecimal.valueOf(rnd.nextInt(1_000_000), 2));
      expected.add(r);
      csv.append(r.id()).append(',').append(csvQuote(r.text())).append(',').append(r.amount())
          .append(rnd.nextInt(10) == 0 ? "\r\n" : "\n");
    }
    put("bigcsv/dt=2019-10-01/events.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
    FilesConnector c = connector("bigcsv", """
        prefix: bigcsv/
        format: csv
        split_bytes: 4096
        fields:
          - {name: id, type: long, required: true}
          - {name: text, type: string, required: true}
          - {name: amount, type: "decimal(12,2)", required: true}
        key: [id]
        """);

    List<ExtractItem> items = c.plan(DT);
    Collected got = readAll(c, items);

    assertThat(items).hasSizeGreaterThan(200);
    assertThat(items).extracting(ExtractItem::chunkId).doesNotHaveDuplicates().isSorted();
    assertThat(got.rejected).isEmpty();
    assertThat(got.rows)
        .map(r -> new Row((Long) r.getField("id"), (String) r.getField("text"), (BigDecimal) r.getField("amount")))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void sourcePositionsAreTheSameWhetherOrNotTheObjectIsSplit() {
    Random rnd = new Random(42L);
    StringBuilder csv = new StringBuilder("id,text\n");
    for (int id = 0; id < 3000; id++) {
      csv.append(id).append(',').append(csvQuote(randomText(rnd))).append('\n');
    }
    put("positions/dt=2019-10-01/p.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
    String options = """
        prefix: positions/
        format: csv
        split_bytes: %d
        fields:
          - {name: id, type: long, required: true}
          - {name: text, type: string}
        key: [id]
        """;
    FilesConnector split = connector("positions", options.formatted(4096));
    FilesConnector whole = connector("positions", options.formatted(1 << 30));

    List<Object> splitPositions = readAll(split, split.plan(DT)).rows.stream()
        .map(r -> r.getField("_source_position")).toList();
    List<Object> wholePositions = readAll(whole, whole.plan(DT)).rows.stream()
        .map(r -> r.getField("_source_position")).toList();

    assertThat(split.plan(DT)).hasSizeGreaterThan(1);
    assertThat(whole.plan(DT)).hasSize(1);
    assertThat(splitPositions).hasSize(3000).doesNotHaveDuplicates().containsExactlyElementsOf(wholePositions);
  }

  @Test
  void tinySplitOverJsonLinesReadsEveryGeneratedRecordExactlyOnce() {
    Random rnd = new Random(7L);
    List<Row> expected = new ArrayList<>();
    StringBuilder jsonl = new StringBuilder();
    ObjectMapper json = new ObjectMapper();
    for (long id = 1; jsonl.length() < 300_000; id++) {
      Row r = new Row(id, randomText(rnd), BigDecimal.valueOf(rnd.nextInt(1_000_000), 2));
      expected.add(r);
      var node = json.createObjectNode().put("id", r.id()).put("amount", r.amount());
      node.putObject("payload").put("text", r.text());
      jsonl.append(node).append('\n');
    }
    put("bigjson/dt=2019-10-01/events.jsonl", jsonl.toString().getBytes(StandardCharsets.UTF_8));
    FilesConnector c = connector("bigjson", """
        prefix: bigjson/
        format: jsonl
        split_bytes: 4096
        fields:
          - {name: id, type: long, required: true}
          - {name: text, source: /payload/text, type: string, required: true}
          - {name: amount, type: "decimal(12,2)", required: true}
        """);

    List<ExtractItem> items = c.plan(DT);
    Collected got = readAll(c, items);

    assertThat(items).hasSizeGreaterThan(60);
    assertThat(got.rejected).isEmpty();
    assertThat(got.rows)
        .map(r -> new Row((Long) r.getField("id"), (String) r.getField("text"), (BigDecimal) r.getField("amount")))
        .containsExactlyInAnyOrderElementsOf(expected);
  }


  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static final String EVENTS_JSONL = """
      prefix: gz/
      format: jsonl
      split_bytes: 1024
      fields:
        - {name: id, type: long, required: true}
        - {name: at, source: /meta/at, type: timestamptz, required: true}
        - {name: ok, type: boolean}
      """;

  /**
   * The producer of a JSON Lines feed moved the timestamp to /at and started writing ok as "yes" or
   * "no" on every line: a changed feed, not 20 bad lines. The chunk fails with the fields' diff
   * instead of quarantining every line; a single bad ok value among good ones stays that line's
   * problem (the gzip test below).
   */
  @Test
  void jsonLinesWhoseFieldMovedOrChangedTypeInEveryLineFailAsASchemaChange() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      sb.append("{\"id\":").append(i).append(",\"at\":\"2019-10-01T10:00:00Z\",\"ok\":\"")
          .append(i % 2 == 0 ? "yes" : "no").append("\"}\n");
    }
    put("moved/dt=2019-10-01/a.jsonl", sb.toString().getBytes(StandardCharsets.UTF_8));
    FilesConnector c = connector("moved", EVENTS_JSONL.replace("prefix: gz/", "prefix: moved/"));
    List<ExtractItem> items = c.plan(DT);
    assertThat(items).hasSize(1);
    assertThatThrownBy(() -> c.read(items.get(0), DT, new Collected()))
        .isInstanceOf(dev.featurepipe.errors.SchemaIncompatible.class)
        .hasMessageContaining("source moved: the JSON lines of s3://" + bucket + "/moved/dt=2019-10-01/a.jsonl")
        .hasMessageContaining("- at (timestamptz, required, at /meta/at): absent from every record")
        .hasMessageContaining("~ ok (boolean, at /ok): none of its 20 values converts; they are a JSON string now")
        .hasMessageNotContaining("- id");
  }

  @Test
  void gzipJsonLinesIsOneChunkMappedByPointerWithBadLinesRejected() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      sb.append("{\"id\":").append(i).append(",\"meta\":{\"at\":\"2019-10-01T10:00:00+02:00\"},\"ok\":true}\n");
    }
    String notJson = "{\"id\": 1, oops}";
    String notObject = "[1,2]";
    String noTime = "{\"id\":5}";
    sb.append(notJson).append('\n').append(notObject).append('\n').append('\n').append(noTime).append('\n');
    byte[] plain = sb.toString().getBytes(StandardCharsets.UTF_8);
    // No .gz suffix: gzip must be recognised by its magic bytes.
    put("gz/dt=2019-10-01/events.jsonl", gzip(plain));
    FilesConnector c = connector("gz", EVENTS_JSONL);

    List<ExtractItem> items = c.plan(DT);
    Collected got = readAll(c, items);

    assertThat(items).singleElement().satisfies(i -> assertThat(i.range()).isNull());
    assertThat(got.rows).hasSize(200);
    assertThat(got.rows.get(0).getField("at")).isEqualTo(OffsetDateTime.of(2019, 10, 1, 8, 0, 0, 0, ZoneOffset.UTC));
    assertThat(got.rejected).containsExactly(
        new Rejected(offsetOf(plain, notJson), "json_malformed", "line is not valid JSON at column 11", notJson),
        new Rejected(offsetOf(plain, notObject), "json_malformed", "line is not a JSON object", notObject),
        new Rejected(offsetOf(plain, noTime), "missing_field", "at: is required", noTime));
  }

  @Test
  void truncatedGzipIsReportedAsACorruptObject() {
    byte[] whole = gzip("{\"id\":1,\"meta\":{\"at\":\"2019-10-01T00:00:00Z\"}}\n".repeat(500).getBytes(StandardCharsets.UTF_8));
    put("gz/dt=2019-10-03/cut.jsonl.gz", Arrays.copyOf(whole, whole.length / 2));
    FilesConnector c = connector("gz", EVENTS_JSONL);

    assertThatThrownBy(() -> readAll(c, c.plan(LocalDate.of(2019, 10, 3))))
        .isInstanceOf(SourceObjectCorrupt.class)
        .hasMessageStartingWith("s3://" + bucket + "/gz/dt=2019-10-03/cut.jsonl.gz is not a complete gzip stream (");
  }

  @Test
  void objectDeletedAfterPlanningIsReportedMissing() {
    put("gone/dt=2019-10-01/a.jsonl", "{\"id\":1}\n".getBytes(StandardCharsets.UTF_8));
    FilesConnector c = connector("gone", EVENTS_JSONL.replace("prefix: gz/", "prefix: gone/"));
    List<ExtractItem> items = c.plan(DT);
    s3.deleteObject(b -> b.bucket(bucket).key("gone/dt=2019-10-01/a.jsonl"));

    assertThatThrownBy(() -> readAll(c, items))
        .isInstanceOf(SourceObjectMissing.class)
        .hasMessage("source object s3://" + bucket + "/gone/dt=2019-10-01/a.jsonl (chunk a) does not exist; "
            + "it was listed when the run was planned, so rerun the date to re-plan");
  }

  @Test
  void markerFilesAreNotPlanned() {
    put("markers/dt=2019-10-01/_SUCCESS", new byte[0]);
    put("markers/dt=2019-10-01/.part-0.jsonl.crc", new byte[] {1});
    put("markers/dt=2019-10-01/part-0.jsonl", "{\"id\":1}\n".getBytes(StandardCharsets.UTF_8));
    FilesConnector c = connector("markers", EVENTS_JSONL.replace("prefix: gz/", "prefix: markers/"));

    assertThat(c.plan(DT)).extracting(ExtractItem::key).containsExactly("markers/dt=2019-10-01/part-0.jsonl");
  }


  /** One row as DuckDB (the oracle) reads it back from the file, and as the connector must. */
  record PqRow(long id, String user, BigDecimal amount, OffsetDateTime at, LocalDate day, Boolean even) {}

  @Test
  void parquetWrittenByDuckDbIsReadBackRowGroupChunkByChunk() throws SQLException, IOException {
    Path file = tempDir.resolve("events.parquet");
    List<PqRow> oracle = new ArrayList<>();
    long rowGroups;
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
      st.execute("SET threads = 1"); // one writer thread: row groups in row order, the same on every run
      st.execute("COPY (SELECT i::BIGINT AS id, CASE WHEN i % 10 = 0 THEN NULL ELSE 'user_' || (i % 97) END AS user_id,"
          + " CAST(i * 1.25 AS DECIMAL(12,2)) AS amount,"
          + " TIMESTAMP '2019-10-01 00:00:00' + to_seconds(i) AS ts, DATE '2019-10-01' + (i % 5)::INTEGER AS day,"
          + " CASE WHEN i % 7 = 0 THEN NULL ELSE i % 2 = 0 END AS even"
          + " FROM range(5000) t(i)) TO '" + file + "' (FORMAT PARQUET, ROW_GROUP_SIZE 1000)");
      try (ResultSet rs = st.executeQuery("SELECT id, user_id, amount::VARCHAR, epoch_us(ts), day::VARCHAR, even"
          + " FROM read_parquet('" + file + "') ORDER BY id")) {
        while (rs.next()) {
          Boolean even = rs.getBoolean(6);
          even = rs.wasNull() ? null : even;
          oracle.add(new PqRow(rs.getLong(1), rs.getString(2), new BigDecimal(rs.getString(3)),
              Instant.EPOCH.plusNanos(rs.getLong(4) * 1000).atOffset(ZoneOffset.UTC), LocalDate.parse(rs.getString(5)),
              even));
        }
      }
      try (ResultSet rs = st.executeQuery(
          "SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + file + "')")) {
        rs.next();
        rowGroups = rs.getLong(1);
      }
    }
    put("pq/dt=2019-10-01/events.parquet", Files.readAllBytes(file));
    FilesConnector c = connector("pq", """
        prefix: pq/
        format: parquet
        split_bytes: 1024
        fields:
          - {name: id, type: long, required: true}
          - {name: user, source: user_id, type: string}
          - {name: amount, type: "decimal(12,2)", required: true}
          - {name: at, source: ts, type: timestamptz, required: true}
          - {name: day, type: date, required: true}
          - {name: even, type: boolean}
        key: [id]
        """);

    List<ExtractItem> items = c.plan(DT);
    Collected got = readAll(c, items);

    // DuckDB rounds ROW_GROUP_SIZE up to whole 2048-row vectors, so the count comes from the file itself.
    assertThat(rowGroups).isGreaterThan(1);
    assertThat(items).extracting(ExtractItem::chunkId).containsExactlyElementsOf(
        java.util.stream.LongStream.range(0, rowGroups).mapToObj(g -> "events-rg" + g).toList());
    assertThat(got.rejected).isEmpty();
    assertThat(got.rows).extracting(r -> r.getField("_source_position")).containsExactlyElementsOf(
        oracle.stream().map(PqRow::id).toList());
    assertThat(got.rows).map(r -> new PqRow((Long) r.getField("id"), (String) r.getField("user"),
            (BigDecimal) r.getField("amount"), (OffsetDateTime) r.getField("at"), (LocalDate) r.getField("day"),
            (Boolean) r.getField("even")))
        .containsExactlyElementsOf(oracle);
  }


  /**
   * A Parquet producer (DuckDB) changes a file: amount became DECIMAL(22,2) and a nullable coupon column
   * appeared. The footers the plan already read give the columns; amount no longer fits its
   * registered decimal, which fails the schema resolution with the diff, and coupon would register.
   */
  @Test
  void aParquetFootersColumnsAreObservedWithTheirTypesAndAWidenedDecimalDoesNotFit() throws SQLException, IOException {
    Path before = tempDir.resolve("before.parquet");
    Path after = tempDir.resolve("after.parquet");
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
      st.execute("COPY (SELECT i::BIGINT AS id, CAST(i * 1.25 AS DECIMAL(12,2)) AS amount, TIMESTAMPTZ '2019-10-01 00:00:00+00'"
          + " AS ts FROM range(10) t(i)) TO '" + before + "' (FORMAT PARQUET)");
      st.execute("COPY (SELECT i::BIGINT AS id, i * 1.25 AS amount, TIMESTAMPTZ '2019-10-01 00:00:00+00' AS ts,"
          + " CASE WHEN i % 2 = 0 THEN 'C' || i END AS coupon FROM range(10) t(i)) TO '" + after + "' (FORMAT PARQUET)");
    }
    String options = """
        prefix: PREFIX
        format: parquet
        fields:
          - {name: id, type: long, required: true}
          - {name: amount, type: "decimal(12,2)", required: true}
          - {name: at, source: ts, type: timestamptz, required: true}
        key: [id]
        """;
    put("pqa/dt=2019-10-01/a.parquet", Files.readAllBytes(before));
    FilesConnector unchanged = connector("pqa", options.replace("PREFIX", "pqa/"));
    var same = unchanged.observeSchema(unchanged.plan(DT)).orElseThrow();
    assertThat(same.columns()).extracting(c -> c.name() + ":" + c.type() + ":" + c.fits())
        .containsExactly("id:long:true", "amount:decimal(12,2):true", "at:timestamptz:true");

    put("pqb/dt=2019-10-01/b.parquet", Files.readAllBytes(after));
    FilesConnector changed = connector("pqb", options.replace("PREFIX", "pqb/"));
    var observed = changed.observeSchema(changed.plan(DT)).orElseThrow();
    assertThat(observed.where()).isEqualTo("s3://" + bucket + "/pqb/dt=2019-10-01/b.parquet");
    assertThat(observed.columns()).extracting(c -> c.name() + ":" + c.type() + ":" + c.nullable() + ":" + c.fits())
        .containsExactly("id:long:true:true", "amount:decimal(22,2):true:false", "at:timestamptz:false:true",
            "coupon:string:true:null");
    var v1 = dev.featurepipe.schema.SourceSchema.parse("t", "pq.v1", """
        {"type": "record", "name": "pq", "fields": [{"name": "id", "type": "long"},
          {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
          {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}}]}
        """.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> dev.featurepipe.schema.SchemaEvolution.decide("pqb", DT, List.of(v1),
        java.util.Arrays.asList((LocalDate) null), java.util.Set.of(), observed))
        .isInstanceOf(dev.featurepipe.errors.SchemaIncompatible.class)
        .hasMessageContaining("~ amount: registered decimal(12,2), the source now has optional")
        .hasMessageContaining("(DECIMAL(22,2)), which cannot fill it without loss");
  }

  @Test
  void unreachableS3IsReportedAsSourceUnavailable() {
    put("down/dt=2019-10-01/a.jsonl", "{\"id\":1}\n".getBytes(StandardCharsets.UTF_8));
    List<ExtractItem> items = connector("down", EVENTS_JSONL.replace("prefix: gz/", "prefix: down/")).plan(DT);
    AwsSettings live = stack.awsSettings();
    // Port 1 refuses connections: the fault is injected by configuration, not by a mock.
    AwsSettings dead = new AwsSettings(live.region(), Optional.of(URI.create("http://127.0.0.1:1")),
        live.dynamoDbEndpoint(), live.staticCredentials(), live.catalog());
    try (AwsClients deadClients = new AwsClients(dead)) {
      ConnectorContext ctx = new ConnectorContext(deadClients.s3(), bucket, stack.options().lakeBucket(),
          new CheckpointStore(clients.dynamoDb(), stack.options().controlTable()), new LocalSecrets(Map.of()));
      SourceConnector c = FilesConnector.create(new SourceConfig("down", "s3_files", null, null,
          readYaml(EVENTS_JSONL.replace("prefix: gz/", "prefix: down/"))), ctx);

      assertThatThrownBy(() -> c.read(items.get(0), DT, new Collected()))
          .isInstanceOf(SourceUnavailable.class)
          .hasMessageStartingWith("source s3://" + bucket + " is unreachable: ");
      assertThatThrownBy(() -> c.plan(DT)).isInstanceOf(SourceUnavailable.class);
    }
  }

  @Test
  void refusedCredentialsAreReportedAsSourceUnavailableWithTheStatus() {
    put("denied/dt=2019-10-01/a.jsonl", "{\"id\":1}\n".getBytes(StandardCharsets.UTF_8));
    String options = EVENTS_JSONL.replace("prefix: gz/", "prefix: denied/");
    List<ExtractItem> items = connector("denied", options).plan(DT);
    AwsSettings live = stack.awsSettings();
    // A wrong secret makes the real server answer 403: the fault is injected by configuration.
    AwsSettings wrong = new AwsSettings(live.region(), live.s3Endpoint(), live.dynamoDbEndpoint(),
        Optional.of(new dev.featurepipe.aws.StaticCredentials(EmbeddedStack.ACCESS_KEY_ID, "not-the-secret")),
        live.catalog());
    try (AwsClients wrongClients = new AwsClients(wrong)) {
      ConnectorContext ctx = new ConnectorContext(wrongClients.s3(), bucket, stack.options().lakeBucket(),
          new CheckpointStore(clients.dynamoDb(), stack.options().controlTable()), new LocalSecrets(Map.of()));
      SourceConnector c = FilesConnector.create(new SourceConfig("denied", "s3_files", null, null, readYaml(options)), ctx);

      assertThatThrownBy(() -> c.read(items.get(0), DT, new Collected()))
          .isInstanceOf(SourceUnavailable.class)
          .hasMessageStartingWith("source s3://" + bucket + "/denied/dt=2019-10-01/a.jsonl answered HTTP 403 (");
    }
  }

  static com.fasterxml.jackson.databind.JsonNode readYaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
