package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.gold.TrainingManifest;
import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * {@code ./featurepipe bench training}: a training set built by {@code statemachines/training.asl.json}
 * through the local runner (part concurrency 1: one core, the unit a 1-vCPU Lambda buys), beside
 * DuckDB ({@code SET threads = 1}) computing the same point-in-time join with its ASOF JOIN over the
 * same Silver data files and the same labels Parquet in the same run. The Silver table is synthetic
 * and Silver-shaped: {@code --entities} users over {@code --days} days, each present on about 85% of
 * the days (gaps), 12 feature columns like product_stats'; labels are {@code --labels} rows at
 * random times over those days and two beyond, 3% for unknown users. Ours reads Silver from the
 * embedded S3 server through Iceberg; DuckDB reads local copies of the same files. Before a time
 * counts, ours and DuckDB's must agree on how many label rows found a feature row.
 */
final class TrainingBench {

  static final String TABLE = "bench_user_v1";
  static final List<String> STAGES = List.of("PlanTrainingSet", "BuildAllTrainingParts", "CommitTrainingSet");

  private TrainingBench() {}

  static void run(Args args, PrintStream out) {
    run(args, RepoRoot.locate().resolve(".featurepipe").resolve("bench-training"), out);
  }

  /** What {@link #check} and the DuckDB comparison found, for tests; timings are printed, never returned. */
  record Result(long labels, long matched, long duckMatched, int files) {}

  /** Everything (scratch stack, Silver copies, labels) under {@code benchDir}, which is emptied first. */
  static Result run(Args args, Path benchDir, PrintStream out) {
    int labels = args.intValue("bench training", "labels", 1_000_000);
    int entities = args.intValue("bench training", "entities", 50_000);
    int days = args.intValue("bench training", "days", 30);
    int rowsPerPart = args.intValue("bench training", "rows-per-part", 1_000_000);
    Path root = RepoRoot.locate();
    Main.deleteRecursively(benchDir);
    StackOptions options = StackOptions.defaults(root).withStateDir(benchDir.resolve("stack")).withPorts(0, 0);
    out.printf(Locale.ROOT, "FeaturePipe bench training: %,d labels, %,d entities x %d days of Silver, %d cores, JDK %s%n",
        labels, entities, days, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    try (LocalPipeline local = LocalPipeline.start(root, options, ConfigLoader.loadBundled(), 1,
        UnaryOperator.identity())) {
      LakeStore lake = new LakeStore(local.clients().s3(), local.context().names().lakeBucket());
      LocalDate first = LocalDate.parse("2026-10-01");
      Path silverDir = Files.createDirectories(benchDir.resolve("duckdb").resolve("silver"));
      long silverRows = writeSilver(local, lake, first, entities, days, silverDir);
      Path labelsParquet = benchDir.resolve("duckdb").resolve("labels.parquet");
      writeLabels(benchDir.resolve("labels.csv"), labelsParquet, first, entities, days, labels);
      byte[] labelBytes = Files.readAllBytes(labelsParquet);
      lake.put("labels/bench/labels.parquet", labelBytes, labels, "application/vnd.apache.parquet");
      out.printf(Locale.ROOT, "  input     Silver %,d rows in %d files; labels %s Parquet%n", silverRows, days,
          RunReport.mb(labelBytes.length));

      ObjectNode input = Json.mapper().createObjectNode().put("modelVersion", "bench");
      input.putObject("labels").put("uri", "s3://" + lake.bucket() + "/labels/bench/labels.parquet");
      input.putArray("groups").add(TABLE);
      input.put("rowsPerPart", rowsPerPart).put("partConcurrency", 1);
      ExecutionResult cold = local.run(LocalPipeline.TRAINING, "bench-training-cold", input.deepCopy().put("runId", "cold"));
      check(cold);
      ExecutionResult warm = local.run(LocalPipeline.TRAINING, "bench-training-warm", input.deepCopy().put("runId", "warm"));
      check(warm);
      TrainingManifest m = lake.getJson(warm.output().get("manifest").get("key").asText(), TrainingManifest.class);
      long matched = warm.output().path("matched").path(TABLE).asLong();
      Map<String, Duration> d = RunReport.stageDurations(warm, STAGES);

      String features = featureColumns().stream().map(f -> "CASE WHEN s.dt = l.fd THEN s." + f + " END AS " + f)
          .reduce((a, b) -> a + ", " + b).orElseThrow();
      String from = "(SELECT user_id, label_time, label, CAST(label_time AT TIME ZONE 'UTC' AS DATE) - 1 AS fd FROM read_parquet('"
          + labelsParquet + "')) l ASOF LEFT JOIN (SELECT *, CAST(dt AS TIMESTAMP) + INTERVAL 1 DAY AS complete_at"
          + " FROM read_parquet('" + silverDir + "/*.parquet')) s ON l.user_id = s.user_id"
          + " AND l.label_time AT TIME ZONE 'UTC' >= s.complete_at";
      long duckMatched = DuckDbBaseline.number("SELECT count(*) FILTER (s.dt = l.fd) FROM " + from);
      if (duckMatched != matched) {
        throw new IllegalStateException("ours and DuckDB disagree: " + matched + " vs " + duckMatched
            + " label rows with a feature row");
      }
      Duration duckJoin = DuckDbBaseline.best("COPY (SELECT l.user_id, l.label_time, l.label,"
          + " l.fd AS feature_date, " + features + " FROM " + from + " ORDER BY l.label_time, l.user_id, l.label)"
          + " TO '" + benchDir.resolve("duckdb").resolve("gold.parquet") + "' (FORMAT parquet, COMPRESSION zstd,"
          + " COMPRESSION_LEVEL 3)", 2);

      long goldBytes = m.files().stream().mapToLong(FileEntry::bytes).sum();
      out.printf(Locale.ROOT, "  check     %,d of %,d label rows found a feature row, ours and DuckDB alike%n", matched,
          m.rows());
      out.printf(Locale.ROOT, "  cold run  %s end to end (JIT warm-up included); warm run below%n",
          RunReport.ms(RunReport.total(cold)));
      out.printf(Locale.ROOT, "%n  %-24s %10s %14s  %s%n", "stage", "wall", "label rows/s", "counted");
      line(out, "PlanTrainingSet", d.get("PlanTrainingSet"), labels, "read, check, sort and cut the labels");
      line(out, "BuildAllTrainingParts", d.get("BuildAllTrainingParts"), labels,
          "read Silver at the snapshot, join, write " + RunReport.mb(goldBytes));
      line(out, "CommitTrainingSet", d.get("CommitTrainingSet"), labels, "manifest");
      line(out, "end to end", RunReport.total(warm), labels, "the state machine, one part at a time");
      line(out, "  DuckDB, 1 thread", duckJoin, labels, "ASOF JOIN + exact-day rule + sort + ZSTD Parquet");
      out.printf(Locale.ROOT, "%n  ratio to DuckDB (ours / DuckDB wall): end to end %.2f, join stage %.2f%n",
          ratio(RunReport.total(warm), duckJoin), ratio(d.get("BuildAllTrainingParts"), duckJoin));
      out.printf(Locale.ROOT, "  gold %s in %d file(s), sha256 %s%n", RunReport.mb(goldBytes), m.files().size(),
          RunReport.text(warm.output(), "combinedSha256"));
      return new Result(m.rows(), matched, duckMatched, m.files().size());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB baseline failed: " + e.getMessage(), e);
    }
  }

  static List<String> featureColumns() {
    List<String> out = new ArrayList<>();
    for (String f : List.of("views", "clicks", "purchases", "revenue")) {
      for (String w : List.of("1d", "7d", "30d")) {
        out.add(f + "_" + w);
      }
    }
    return out;
  }

  /** One file per day, committed as the daily run would (one overwrite of the dt partition). */
  private static long writeSilver(LocalPipeline local, LakeStore lake, LocalDate first, int entities, int days,
      Path copies) throws IOException {
    List<Types.NestedField> fields = new ArrayList<>();
    fields.add(Types.NestedField.required(1, "user_id", Types.StringType.get()));
    fields.add(Types.NestedField.required(2, "as_of", Types.DateType.get()));
    int id = 3;
    for (String f : featureColumns()) {
      fields.add(Types.NestedField.optional(id++, f, f.startsWith("revenue") ? Types.DecimalType.of(18, 2)
          : Types.LongType.get()));
    }
    fields.add(Types.NestedField.required(id, "dt", Types.DateType.get()));
    Schema schema = new Schema(fields);
    Catalog catalog = local.context().catalog().get();
    Namespace ns = Namespace.of(local.context().catalogDatabase());
    if (catalog instanceof SupportsNamespaces s && !s.namespaceExists(ns)) {
      s.createNamespace(ns);
    }
    Table table = catalog.buildTable(TableIdentifier.of(ns, TABLE), schema)
        .withPartitionSpec(PartitionSpec.builderFor(schema).identity("dt").build())
        .withLocation("s3://" + lake.bucket() + "/silver/bench_user/v_1")
        .withProperty("featurepipe.entity", "user_id")
        .create();
    Random random = new Random(20261001);
    long total = 0;
    var append = table.newAppend();
    for (int d = 0; d < days; d++) {
      LocalDate dt = first.plusDays(d);
      List<Record> rows = new ArrayList<>();
      GenericRecord template = GenericRecord.create(table.schema());
      for (int e = 0; e < entities; e++) {
        if (random.nextInt(100) >= 85) {
          continue;
        }
        GenericRecord r = template.copy();
        r.set(0, user(e));
        r.set(1, dt);
        int c = 2;
        for (String f : featureColumns()) {
          long v = random.nextInt(1000);
          r.set(c++, f.startsWith("revenue") ? BigDecimal.valueOf(v * 137, 2) : (Object) v);
        }
        r.set(c, dt);
        rows.add(r);
      }
      byte[] bytes = ParquetFiles.write(table.schema(), rows);
      String key = "silver/bench_user/v_1/data/dt=" + dt + "/part-" + Hashing.sha256Hex(bytes).substring(0, 8)
          + ".parquet";
      lake.put(key, bytes, rows.size(), "application/vnd.apache.parquet");
      Files.write(copies.resolve("dt=" + dt + ".parquet"), bytes);
      append.appendFile(DataFiles.builder(table.spec()).withPath("s3://" + lake.bucket() + "/" + key)
          .withFormat(FileFormat.PARQUET).withFileSizeInBytes(bytes.length).withRecordCount(rows.size())
          .withPartitionPath("dt=" + dt).build());
      total += rows.size();
    }
    append.commit();
    return total;
  }

  private static String user(int e) {
    return String.format(Locale.ROOT, "user-%07d", e);
  }

  /** Seeded labels as CSV, converted to Parquet (UTC-adjusted timestamps) by DuckDB, untimed. */
  private static void writeLabels(Path csv, Path parquet, LocalDate first, int entities, int days, int n)
      throws IOException, SQLException {
    Random random = new Random(7);
    long start = first.atStartOfDay().toEpochSecond(java.time.ZoneOffset.UTC);
    long span = (days + 2L) * 86_400;
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      w.write("user_id,label_time,label\n");
      for (int i = 0; i < n; i++) {
        int e = random.nextInt(100) < 3 ? entities + random.nextInt(1000) : random.nextInt(entities);
        w.write(user(e) + "," + Instant.ofEpochSecond(start + (long) (random.nextDouble() * span)) + ","
            + random.nextInt(2) + "\n");
      }
    }
    DuckDbBaseline.execute("COPY (SELECT user_id, CAST(label_time AS TIMESTAMPTZ) AS label_time,"
        + " CAST(label AS BIGINT) AS label FROM read_csv('" + csv + "', header = true, columns = {user_id: 'VARCHAR',"
        + " label_time: 'VARCHAR', label: 'VARCHAR'})) TO '" + parquet + "' (FORMAT parquet)");
  }

  private static void check(ExecutionResult r) {
    if (!r.status().equals("SUCCEEDED")) {
      throw new IllegalStateException("bench run failed: " + r.error().orElse("?") + " " + r.cause().orElse(""));
    }
  }

  private static double ratio(Duration ours, Duration theirs) {
    return ours == null ? Double.NaN : ours.toNanos() / (double) Math.max(1, theirs.toNanos());
  }

  private static void line(PrintStream out, String stage, Duration wall, long rows, String what) {
    if (wall == null) {
      out.printf(Locale.ROOT, "  %-24s %10s%n", stage, "-");
      return;
    }
    double seconds = Math.max(wall.toNanos(), 1) / 1e9;
    out.printf(Locale.ROOT, "  %-24s %10s %,14.0f  %s%n", stage, RunReport.ms(wall), rows / seconds, what);
  }
}
