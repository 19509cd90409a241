package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.aws.LocalSecrets;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.extract.CheckpointStore;
import dev.featurepipe.extract.ConnectorContext;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.extract.SourceConnectors;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.schema.ObservedSchema;
import dev.featurepipe.schema.SchemaBinding;
import dev.featurepipe.schema.SchemaRegistry;
import dev.featurepipe.schema.SchemaResolver;
import dev.featurepipe.schema.SourceSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code ./featurepipe bench schemas [--objects N] [--repeat N]}: what schema evolution adds to
 * planning. For N CSV and N Parquet objects of one day in the embedded S3, and a 20-column
 * PostgreSQL table, it times the connector's plan alone, then its schema observation (each object's
 * header or footer; the table's column metadata) and the registry resolution, best of the repeats.
 */
final class SchemaBench {

  private static final String AVSC = """
      {"type": "record", "name": "orders", "fields": [
        {"name": "order_id", "type": "long"},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "note", "type": ["null", "string"], "default": null}]}
      """;

  private SchemaBench() {}

  private record Timing(long planNanos, long observeNanos, long resolveNanos, int objects) {}

  static void run(Args args, PrintStream out) {
    String command = "bench schemas";
    int objects = args.intValue(command, "objects", 1000);
    int repeat = args.intValue(command, "repeat", 3);
    if (objects < 1 || objects > 100_000 || repeat < 1 || repeat > 10) {
      throw new Args.UsageError(command + ": --objects 1 to 100000 and --repeat 1 to 10, got " + objects + " and "
          + repeat);
    }
    LocalDate dt = LocalDate.parse(Main.DEMO_DATE);
    Path dir = RepoRoot.locate().resolve(StackOptions.DEFAULT_STATE_DIR_NAME).resolve("bench-schemas");
    Main.deleteRecursively(dir);
    StackOptions options = StackOptions.defaults(RepoRoot.locate()).withStateDir(dir.resolve("stack")).withPorts(0, 0);
    out.printf(Locale.ROOT, "FeaturePipe schema bench: %,d CSV and %,d Parquet objects, a 20-column table; best of %d,"
        + " %d cores, JDK %s%n  load average at start: %s%n", objects, objects, repeat,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), ConnectorBench.loadAverage());
    try (EmbeddedStack embedded = EmbeddedStack.start(options);
        AwsClients clients = new AwsClients(embedded.awsSettings())) {
      ConnectorContext ctx = new ConnectorContext(clients.s3(), options.sourceBucket(), options.lakeBucket(),
          new CheckpointStore(clients.dynamoDb(), options.controlTable()), new LocalSecrets(Map.of()));
      SchemaResolver resolver = new SchemaResolver(new SchemaRegistry(clients.dynamoDb(), options.controlTable()));
      SourceSchema schema = SourceSchema.parse("bench", "orders.v1", AVSC.getBytes(StandardCharsets.UTF_8));
      upload(clients, options.sourceBucket(), dt, objects);
      for (String format : List.of("csv", "parquet")) {
        SourceConfig source = files(format, schema);
        Timing best = best(repeat, () -> time(SourceConnectors.create(source, ctx), resolver, source.id(), schema, dt));
        print(out, format + " objects", best);
      }
      try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
        SourceConfig source = jdbc(pg, dir, schema);
        Timing best = best(repeat, () -> time(SourceConnectors.create(source, ctx), resolver, source.id(), schema, dt));
        print(out, "jdbc table", best);
      }
      out.printf(Locale.ROOT, "  load average at end: %s%n", ConnectorBench.loadAverage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Timing best(int repeat, java.util.function.Supplier<Timing> pass) {
    pass.get(); // warm-up: class loading, connection pools
    Timing best = null;
    for (int i = 0; i < repeat; i++) {
      Timing t = pass.get();
      best = best == null || t.observeNanos() + t.resolveNanos() < best.observeNanos() + best.resolveNanos() ? t : best;
    }
    return best;
  }

  private static Timing time(SourceConnector connector, SchemaResolver resolver, String sourceId, SourceSchema schema,
      LocalDate dt) {
    long t0 = System.nanoTime();
    List<ExtractItem> items = connector.plan(dt);
    long t1 = System.nanoTime();
    ObservedSchema observed = connector.observeSchema(items).orElseThrow();
    long t2 = System.nanoTime();
    resolver.resolve(sourceId, schema, observed, "bench", dt);
    long t3 = System.nanoTime();
    return new Timing(t1 - t0, t2 - t1, t3 - t2, (int) items.stream().map(ExtractItem::key).distinct().count());
  }

  private static void print(PrintStream out, String what, Timing t) {
    out.printf(Locale.ROOT, "  %-16s plan %,8.1f ms | observe %,8.1f ms (%,7.0f objects/s) | resolve %,6.1f ms"
        + " | planning +%,.1f ms%n", what, t.planNanos() / 1e6, t.observeNanos() / 1e6,
        t.objects() / (t.observeNanos() / 1e9), t.resolveNanos() / 1e6, (t.observeNanos() + t.resolveNanos()) / 1e6);
  }

  private static void upload(AwsClients clients, String bucket, LocalDate dt, int objects) {
    Schema parquet = new Schema(
        Types.NestedField.required(1, "order_id", Types.LongType.get()),
        Types.NestedField.required(2, "amount", Types.DecimalType.of(10, 2)),
        Types.NestedField.optional(3, "note", Types.StringType.get()),
        Types.NestedField.optional(4, "channel", Types.StringType.get()));
    for (int i = 0; i < objects; i++) {
      StringBuilder csv = new StringBuilder("order_id,amount,note,channel\n");
      List<Record> rows = new ArrayList<>();
      for (int r = 0; r < 100; r++) {
        long id = (long) i * 100 + r;
        csv.append(id).append(',').append(r).append(".50,n").append(r).append(",web\n");
        GenericRecord row = GenericRecord.create(parquet);
        row.set(0, id);
        row.set(1, new java.math.BigDecimal(r + ".50"));
        row.set(2, "n" + r);
        row.set(3, "web");
        rows.add(row);
      }
      String name = String.format(Locale.ROOT, "part-%06d", i);
      clients.s3().putObject(b -> b.bucket(bucket).key("csv/dt=" + dt + "/" + name + ".csv"),
          RequestBody.fromString(csv.toString()));
      byte[] bytes = ParquetFiles.write(parquet, rows);
      clients.s3().putObject(b -> b.bucket(bucket).key("parquet/dt=" + dt + "/" + name + ".parquet"),
          RequestBody.fromBytes(bytes));
    }
  }

  private static SourceConfig files(String format, SourceSchema schema) {
    String id = format + "_orders";
    return bind(new SourceConfig(id, "s3_files", null, "orders.v1",
        tree("{prefix: " + format + "/, format: " + format + ", key: [order_id]}")), schema);
  }

  private static SourceConfig jdbc(EmbeddedPostgres pg, Path dir, SourceSchema schema) throws IOException {
    String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    StringBuilder ddl = new StringBuilder("CREATE TABLE orders (order_id bigint PRIMARY KEY, amount numeric(10,2) NOT NULL, "
        + "note text");
    for (int c = 0; c < 17; c++) {
      ddl.append(", extra_").append(c).append(" text");
    }
    try (Connection c = DriverManager.getConnection(url, "postgres", "bench"); Statement s = c.createStatement()) {
      s.execute(ddl.append(")").toString());
      s.execute("INSERT INTO orders (order_id, amount) SELECT i, i FROM generate_series(1, 1000) i");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the benchmark's table: " + e.getMessage(), e);
    }
    Path secret = Files.createDirectories(dir).resolve("pg.json");
    Files.writeString(secret, "{\"username\": \"postgres\", \"password\": \"bench\"}");
    return bind(new SourceConfig("jdbc_orders", "jdbc", null, "orders.v1", tree("{url: \"" + url
        + "\", credentials: \"file:" + secret + "\", table: orders, key_column: order_id}")), schema);
  }

  private static SourceConfig bind(SourceConfig source, SourceSchema schema) {
    List<String> problems = new ArrayList<>();
    SourceConfig bound = SchemaBinding.bind(source, schema, problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("[BUG] bench source " + source.id() + ": " + problems);
    }
    SourceConnectors.validateOptions(bound);
    return bound;
  }

  private static JsonNode tree(String yaml) {
    try {
      return new YAMLMapper().readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
