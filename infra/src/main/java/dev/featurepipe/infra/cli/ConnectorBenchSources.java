package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.infra.cli.ConnectorBenchData.Column;
import dev.featurepipe.infra.cli.ConnectorBenchData.Order;
import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.infra.demo.DemoLine;
import dev.featurepipe.ops.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The connector benchmark's cases: for each source kind and format, generate the seeded orders (or
 * the demo clickstream), load them into the real source (objects in the embedded S3, a table in an
 * embedded PostgreSQL, pages behind an HTTP server), configure the source as pipeline.yaml would, and
 * name an honest baseline: DuckDB on one thread doing the read-and-write-Parquet half of the job on
 * the same bytes, or for JDBC and REST a bare client loop that only reads.
 */
final class ConnectorBenchSources {

  private ConnectorBenchSources() {}

  /** The pipeline's view of the bench stack, plus where local copies and scratch files go. */
  record Env(ConnectorBench.Stack stack, Path work, LocalDate dt, int rows, int repeat) {

    /** Uploads one source object and keeps a local copy for DuckDB. */
    void put(String key, byte[] bytes, Path local) {
      try {
        Files.createDirectories(local.getParent());
        Files.write(local, bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      stack.clients().s3().putObject(b -> b.bucket(stack.sourceBucket()).key(key), RequestBody.fromBytes(bytes));
    }

    int rowsPerPart() {
      return Math.max(1, rows / 2);
    }
  }

  /** How the baseline job runs; {@code items} are the connector's planned items, for baselines that follow them. */
  interface BaselineJob {
    Duration run(List<ExtractItem> items) throws Exception;
  }

  /** A loaded source: its config, what it holds, its baseline, and what to stop afterwards. */
  record Prepared(SourceConfig source, long rows, long sourceBytes, long decodedBytes, String bytesOf,
      String baselineLabel, BaselineJob baseline, AutoCloseable resource) {}

  /** One benchmarked connector and format; {@code id} is what {@code --only} matches besides the kind. */
  record Case(String kind, String format, Function<Env, Prepared> prepare) {
    String id() {
      return kind + ":" + format;
    }
  }

  static final List<Case> CASES = List.of(
      new Case("s3_jsonl", "jsonl.gz", ConnectorBenchSources::clickstream),
      new Case("jdbc", "postgresql", ConnectorBenchSources::jdbc),
      new Case("rest", "json-pages", ConnectorBenchSources::rest),
      new Case("s3_files", "csv", env -> files(env, "csv")),
      new Case("s3_files", "jsonl.gz", env -> files(env, "jsonl")),
      new Case("s3_files", "parquet", env -> files(env, "parquet")),
      new Case("cdc", "dms_csv", env -> cdc(env, "dms_csv")),
      new Case("cdc", "debezium.gz", env -> cdc(env, "debezium_json")));

  /** REST cases page through a fifth of the rows: each page costs a spool PUT and a checkpoint write. */
  static final int REST_ROWS_DIVISOR = 5;

  /** Shopify's and many other APIs' maximum page size is 250 records. */
  static final int PAGE_SIZE = 250;

  static final long SEED = 20_261_124L;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  // ---------------------------------------------------------------------------------------------

  static Prepared clickstream(Env env) {
    int rows = env.rowsPerPart() * 2;
    var spec = new ClickstreamGenerator.Spec(42L, env.dt(), rows, 2, Math.max(10, rows / 200), Math.max(10, rows / 20), 0);
    var dataset = ClickstreamGenerator.generate(spec, "clickstream/");
    long decoded = 0;
    for (DemoLine l : dataset.lines()) {
      decoded += l.text().getBytes(StandardCharsets.UTF_8).length + 1L;
    }
    Path dir = env.work().resolve("clickstream");
    for (ClickstreamGenerator.SourceObject o : dataset.objects()) {
      env.put(o.key(), o.gzip(), dir.resolve(o.key().substring(o.key().lastIndexOf('/') + 1)));
    }
    SourceConfig source = new SourceConfig("clickstream", "s3_jsonl", "clickstream/", "clickstream_event_v1", null);
    return new Prepared(source, rows, dataset.rawBytes(), decoded, "gzip JSON Lines",
        "DuckDB read_json to Parquet", items -> DuckDbBaseline.jsonToParquet(dir,
            env.work().resolve("clickstream-duckdb.parquet"), Math.max(2, env.repeat())), null);
  }

  static Prepared files(Env env, String format) {
    String id = "orders_" + format;
    Path dir = env.work().resolve(id);
    String ext = switch (format) {
      case "csv" -> "csv";
      case "jsonl" -> "jsonl.gz";
      default -> "parquet";
    };
    Loaded loaded = loadParts(env, id, (p, orders) -> {
      String name = String.format(Locale.ROOT, "part-%05d.%s", p, ext);
      return switch (format) {
        case "jsonl" -> Encoded.gzip(name, ConnectorBenchData.jsonLines(orders));
        case "csv" -> Encoded.plain(name, ConnectorBenchData.csv(orders));
        default -> Encoded.plain(name, csvToParquet(ConnectorBenchData.csv(orders), dir.resolve(name)));
      };
    });
    String fields = fieldsYaml(c -> "");
    SourceConfig source = new SourceConfig(id, "s3_files", null, null, yaml("""
        prefix: %s/
        format: %s
        compression: %s
        key: [order_id]
        fields:
        %s""".formatted(id, format, format.equals("jsonl") ? "gzip" : "none", fields)));
    String reader = switch (format) {
      case "csv" -> "read_csv('" + dir + "/*.csv', header = true, columns = " + duckColumns("") + ")";
      case "jsonl" -> "read_json('" + dir + "/*.jsonl.gz', format = 'newline_delimited', columns = "
          + duckColumns("") + ")";
      default -> "read_parquet('" + dir + "/*.parquet')";
    };
    Path out = env.work().resolve(id + "-duckdb.parquet");
    return new Prepared(source, env.rowsPerPart() * 2L, loaded.stored(), loaded.decoded(),
        format.equals("jsonl") ? "gzip JSON Lines" : format.equals("csv") ? "CSV" : "Parquet (ZSTD)",
        "DuckDB " + reader.substring(0, reader.indexOf('(')) + " to Parquet",
        items -> DuckDbBaseline.toParquet("SELECT * FROM " + reader, out, Math.max(2, env.repeat())), null);
  }

  /** One source object: its name, its bytes as delivered, and its length once gzip is undone. */
  record Encoded(String name, byte[] bytes, long decodedLength) {
    static Encoded plain(String name, byte[] bytes) {
      return new Encoded(name, bytes, bytes.length);
    }

    static Encoded gzip(String name, byte[] text) {
      return new Encoded(name, ConnectorBenchData.gzip(text), text.length);
    }
  }

  /** Source bytes as delivered and decoded. */
  record Loaded(long stored, long decoded) {}

  interface PartEncoder {
    Encoded encode(int part, List<Order> orders);
  }

  /** Generates the two parts of orders and uploads each, encoded, under {@code <id>/dt=<dt>/}. */
  private static Loaded loadParts(Env env, String id, PartEncoder encoder) {
    long stored = 0;
    long decoded = 0;
    for (int p = 0; p < 2; p++) {
      Encoded e = encoder.encode(p, ConnectorBenchData.part(SEED, env.dt(), p, env.rowsPerPart()));
      stored += e.bytes().length;
      decoded += e.decodedLength();
      env.put(id + "/dt=" + env.dt() + "/" + e.name(), e.bytes(), env.work().resolve(id).resolve(e.name()));
    }
    return new Loaded(stored, decoded);
  }

  /** DuckDB writes the Parquet input (ZSTD, 122,880-row groups) from the same CSV rows. */
  private static byte[] csvToParquet(byte[] csv, Path parquet) {
    try {
      Path text = Files.createDirectories(parquet.getParent()).resolve(parquet.getFileName() + ".csv");
      Files.write(text, csv);
      DuckDbBaseline.execute("COPY (SELECT * FROM read_csv('" + text + "', header = true, columns = "
          + duckColumns("") + ")) TO '" + parquet + "' (FORMAT parquet, COMPRESSION zstd)");
      Files.delete(text);
      return Files.readAllBytes(parquet);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB could not write the Parquet input: " + e.getMessage(), e);
    }
  }

  static Prepared cdc(Env env, String format) {
    boolean dms = format.equals("dms_csv");
    String id = dms ? "orders_dms" : "orders_debezium";
    Path dir = env.work().resolve(id);
    Loaded loaded = loadParts(env, id, (p, orders) -> {
      long first = (long) p * env.rowsPerPart() + 1;
      // DMS names files by time; Kafka Connect's S3 sink by topic, partition and start offset.
      return dms
          ? Encoded.plain(String.format(Locale.ROOT, "%s-1015%02d000.csv", env.dt().toString().replace("-", ""), p),
              ConnectorBenchData.dmsCsv(orders, first))
          : Encoded.gzip(String.format(Locale.ROOT, "shop.public.orders+0+%010d.json.gz", first),
              ConnectorBenchData.debezium(orders, 40_000_000L + first * 64));
    });
    String fields = fieldsYaml(c -> "");
    SourceConfig source = new SourceConfig(id, "cdc", null, null, yaml("""
        prefix: %s/
        format: %s
        %s
        position_type: long
        key: [order_id]
        fields:
        %s""".formatted(id, format, dms ? "position_column: seq" : "position_pointer: /source/lsn", fields)));
    String select = dms
        ? "SELECT * FROM read_csv('" + dir + "/*.csv', header = false, columns = "
            + duckColumns("op: 'VARCHAR', seq: 'BIGINT', ") + ")"
        : "SELECT op, source.lsn AS position, unnest(coalesce(after, before)) FROM read_json('" + dir
            + "/*.json.gz', format = 'newline_delimited', columns = {before: '" + duckStruct() + "', after: '"
            + duckStruct() + "', source: 'STRUCT(lsn BIGINT)', op: 'VARCHAR'})";
    Path out = env.work().resolve(id + "-duckdb.parquet");
    return new Prepared(source, env.rowsPerPart() * 2L, loaded.stored(), loaded.decoded(), dms ? "CSV" : "gzip JSON Lines",
        dms ? "DuckDB read_csv to Parquet" : "DuckDB read_json to Parquet",
        items -> DuckDbBaseline.toParquet(select, out, Math.max(2, env.repeat())), null);
  }

  static Prepared jdbc(Env env) {
    Path dir = env.work().resolve("jdbc");
    EmbeddedPostgres pg;
    try {
      pg = EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
    }
    String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    long bytes;
    try (Connection c = DriverManager.getConnection(url, "postgres", "bench"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (" + ConnectorBenchData.COLUMNS.stream().map(col -> col.name() + " " + col.postgres())
          .collect(Collectors.joining(", ")) + ")");
      for (int p = 0; p < 2; p++) {
        // The server reads the file itself (COPY FROM a path needs a superuser, which the bench is).
        Path csv = Files.createDirectories(dir).resolve("part-" + p + ".csv");
        Files.write(csv, ConnectorBenchData.csv(ConnectorBenchData.part(SEED, env.dt(), p, env.rowsPerPart())));
        s.execute("COPY orders FROM '" + csv + "' (FORMAT csv, HEADER true)");
        Files.delete(csv);
      }
      // Sets hint bits and the visibility map now, so no timed read pays for them.
      s.execute("VACUUM ANALYZE orders");
      try (ResultSet rs = s.executeQuery("SELECT sum(octet_length(o::text)) FROM orders o")) {
        rs.next();
        bytes = rs.getLong(1);
      }
    } catch (SQLException | IOException e) {
      closeQuietly(pg);
      throw new IllegalStateException("cannot load the benchmark's PostgreSQL table: " + e.getMessage(), e);
    }
    String columns = fieldsYaml(c -> "");
    SourceConfig source = new SourceConfig("orders_db", "jdbc", null, null, yaml("""
        url: %s
        credentials: env:%s
        table: orders
        key_column: order_id
        chunk_rows: %d
        columns:
        %s""".formatted(url, ConnectorBench.PG_SECRET, env.rowsPerPart(), columns)));
    return new Prepared(source, env.rowsPerPart() * 2L, bytes, bytes, "row text",
        "bare ResultSet loop, same query and fetch size", items -> best(env.repeat(), () -> jdbcLoop(url, items)), pg);
  }

  /**
   * What any JDBC extract must do at least: the connector's query per planned key range, with the
   * same fetch size, each column read with its typed getter. Nothing is kept or written.
   */
  private static Duration jdbcLoop(String url, List<ExtractItem> items) throws SQLException {
    String cols = ConnectorBenchData.COLUMNS.stream().map(c -> "\"" + c.name() + "\"").collect(Collectors.joining(", "));
    long t0 = System.nanoTime();
    long checksum = 0;
    for (ExtractItem item : items) {
      try (Connection c = DriverManager.getConnection(url, "postgres", "bench")) {
        c.setAutoCommit(false);
        c.setReadOnly(true);
        try (PreparedStatement ps = c.prepareStatement("SELECT " + cols + " FROM \"orders\" WHERE \"order_id\" >= ? "
            + "AND \"order_id\" < ? ORDER BY \"order_id\"")) {
          ps.setLong(1, item.range().get("from").asLong());
          ps.setLong(2, item.range().get("to").asLong());
          ps.setFetchSize(10_000);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              checksum += rs.getLong(1) + length(rs.getString(2)) + length(rs.getString(3)) + length(rs.getString(4));
              BigDecimal price = rs.getBigDecimal(5);
              checksum += price.unscaledValue().longValue() + rs.getInt(6) + (long) rs.getDouble(7);
              checksum += rs.getObject(8, OffsetDateTime.class).getSecond() + length(rs.getString(9))
                  + (rs.getBoolean(10) ? 1 : 0) + length(rs.getString(11));
            }
          }
        }
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    if (checksum == 42) {
      System.out.print(""); // keeps the JIT from dropping the loop's reads as dead code
    }
    return took;
  }

  static Prepared rest(Env env) {
    int perPartition = Math.max(1, env.rows() / REST_ROWS_DIVISOR / 2);
    Map<String, List<byte[]>> pages = new TreeMap<>();
    long bytes = 0;
    List<String> partitions = List.of("eu", "us");
    for (int p = 0; p < partitions.size(); p++) {
      List<Order> orders = ConnectorBenchData.part(SEED, env.dt(), p, perPartition);
      List<byte[]> list = new ArrayList<>();
      int count = (orders.size() + PAGE_SIZE - 1) / PAGE_SIZE;
      for (int i = 0; i < count; i++) {
        String next = i + 1 < count ? ConnectorBenchApi.cursor(partitions.get(p), i + 1) : null;
        byte[] page = ConnectorBenchData.apiPage(orders.subList(i * PAGE_SIZE, Math.min(orders.size(), (i + 1) * PAGE_SIZE)),
            next);
        list.add(page);
        bytes += page.length;
      }
      pages.put(partitions.get(p), list);
    }
    ConnectorBenchApi api = ConnectorBenchApi.start(pages);
    // Where the API nests a column; the others are top-level properties of the same name.
    String fields = fieldsYaml(c -> restPointer(c).equals("/" + c.name()) ? "" : ", pointer: " + restPointer(c));
    SourceConfig source = new SourceConfig("orders_api", "rest", null, null, yaml("""
        base_url: %s
        path: /v1/{partition}/orders/{dt}
        pagination: {type: cursor, cursor_pointer: /meta/next_cursor, cursor_param: cursor}
        records: /data
        key: order_id
        partitions: [eu, us]
        fields:
        %s""".formatted(api.baseUrl(), fields)));
    return new Prepared(source, perPartition * 2L, bytes, bytes, "response bodies",
        "bare HttpClient GET + Jackson tree, no spool or checkpoint",
        items -> best(env.repeat(), () -> restLoop(api.baseUrl(), env.dt(), partitions)), api);
  }

  /** Pages through every partition as the connector does, parsing each body and touching every mapped field. */
  private static Duration restLoop(URI base, LocalDate dt, List<String> partitions) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    List<JsonPointer> pointers = ConnectorBenchData.COLUMNS.stream().map(c -> JsonPointer.compile(restPointer(c))).toList();
    long t0 = System.nanoTime();
    long checksum = 0;
    for (String partition : partitions) {
      String first = base + "/v1/" + partition + "/orders/" + dt;
      String url = first;
      while (url != null) {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/json")
            .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode root = Json.mapper().readTree(r.body());
        for (JsonNode record : root.at("/data")) {
          for (JsonPointer pointer : pointers) {
            checksum += record.at(pointer).asText().length();
          }
        }
        JsonNode next = root.at("/meta/next_cursor");
        url = next.isTextual() ? first + "?cursor=" + next.asText() : null;
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    if (checksum == 42) {
      System.out.print("");
    }
    return took;
  }

  // ---------------------------------------------------------------------------------------------

  interface Timed {
    Duration run() throws Exception;
  }

  /** One untimed run to warm the JIT, then the fastest of {@code repeat}. */
  private static Duration best(int repeat, Timed job) throws Exception {
    job.run();
    Duration best = null;
    for (int i = 0; i < repeat; i++) {
      Duration d = job.run();
      best = best == null || d.compareTo(best) < 0 ? d : best;
    }
    return best;
  }

  /** The orders' columns as a pipeline.yaml field list; {@code extra} adds to each entry (a pointer). */
  private static String fieldsYaml(Function<Column, String> extra) {
    return ConnectorBenchData.COLUMNS.stream()
        .map(c -> "  - {name: " + c.name() + extra.apply(c) + ", type: \"" + c.type() + "\", required: " + c.required() + "}")
        .collect(Collectors.joining("\n"));
  }

  /** Where the orders API puts a column in a record. */
  private static String restPointer(Column c) {
    return switch (c.name()) {
      case "user_id" -> "/customer/id";
      case "country" -> "/customer/country";
      case "repeat_buyer" -> "/customer/repeat_buyer";
      default -> "/" + c.name();
    };
  }

  /** DuckDB's {@code columns = {...}} for the orders, after {@code prefix} columns. */
  private static String duckColumns(String prefix) {
    return "{" + prefix + ConnectorBenchData.COLUMNS.stream().map(c -> c.name() + ": '" + c.duckdb() + "'")
        .collect(Collectors.joining(", ")) + "}";
  }

  /** A Debezium image as a DuckDB struct; money arrives as text (decimal.handling.mode=string). */
  private static String duckStruct() {
    return "STRUCT(" + ConnectorBenchData.COLUMNS.stream()
        .map(c -> c.name() + " " + (c.name().equals("price") ? "VARCHAR" : c.duckdb()))
        .collect(Collectors.joining(", ")) + ")";
  }

  private static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("[BUG] benchmark source options are not YAML: " + e.getMessage(), e);
    }
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already failing; the first error is the one to report
    }
  }
}
