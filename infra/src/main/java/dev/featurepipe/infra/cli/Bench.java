package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.infra.demo.DemoLine;
import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.lineage.RunRecord;
import dev.featurepipe.ops.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./featurepipe bench}: the daily workflow at a chosen size in a scratch stack, with rows/s
 * and MB/s per stage and end to end, beside DuckDB ({@code threads=1}) doing the same Extract and
 * BuildFeatures work in the same run. Every Map runs with concurrency {@code --parallel} (default
 * 1), so the default numbers are per core, the unit a 1-vCPU Lambda buys. The workflow runs twice
 * (forced); the second, warm run is reported, as a warm Lambda container would see it.
 */
final class Bench {

  private Bench() {}

  /**
   * {@code bench [options]}: the daily workflow per stage; {@code bench connectors [options]}: see
   * {@link ConnectorBench}; {@code bench features [options]}: see {@link FeatureBench}; {@code bench online
   * [options]}: see {@link OnlineBench}; {@code bench quality [options]}: see {@link QualityBench}; {@code bench schemas
   * [options]}: see {@link SchemaBench}; {@code bench training [options]}: see {@link TrainingBench}.
   */
  static void main(String[] argv, PrintStream out) {
    if (argv.length > 1 && argv[1].equals("connectors")) {
      ConnectorBench.run(Args.parse("bench connectors", argv, 2, Set.of("rows", "only", "repeat"), Set.of()), out);
      return;
    }
    if (argv.length > 1 && argv[1].equals("online")) {
      OnlineBench.run(Args.parse("bench online", argv, 2, Set.of("items", "gets", "batch-gets"), Set.of()), out);
      return;
    }
    if (argv.length > 1 && argv[1].equals("quality")) {
      QualityBench.run(Args.parse("bench quality", argv, 2, Set.of("rows", "repeat", "stage"), Set.of()), out);
      return;
    }
    if (argv.length > 1 && argv[1].equals("schemas")) {
      SchemaBench.run(Args.parse("bench schemas", argv, 2, Set.of("objects", "repeat"), Set.of()), out);
      return;
    }
    if (argv.length > 1 && argv[1].equals("training")) {
      TrainingBench.run(Args.parse("bench training", argv, 2, Set.of("labels", "entities", "days", "rows-per-part"),
          Set.of()), out);
      return;
    }
    if (argv.length > 1 && argv[1].equals("features")) {
      FeatureBench.run(Args.parse("bench features", argv, 2, Set.of("events", "repeat"), Set.of()), out);
      return;
    }
    Args args = Args.parse("bench", argv, 1, Set.of("events", "shards", "chunks-per-extract", "date", "parallel"),
        Set.of());
    if (!args.positional().isEmpty()) {
      throw new Args.UsageError("bench: unknown benchmark " + args.positional().get(0)
          + "; bench takes connectors, features, online, quality, schemas, training, or options only");
    }
    run(args, out);
  }

  static void run(Args args, PrintStream out) {
    int events = args.intValue("bench", "events", 1_000_000);
    int parallel = args.intValue("bench", "parallel", 1);
    LocalDate date = args.date("bench", "date", Main.DEMO_DATE);
    Path root = RepoRoot.locate();
    Path benchDir = root.resolve(".featurepipe").resolve("bench");
    Main.deleteRecursively(benchDir);
    StackOptions options = StackOptions.defaults(root).withStateDir(benchDir.resolve("stack")).withPorts(0, 0);
    out.printf(Locale.ROOT, "FeaturePipe bench: %,d events, Map concurrency %d, %d cores, JDK %s%n", events, parallel,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    var dataset = ClickstreamGenerator.generate(ClickstreamGenerator.Spec.demo(date, events), "clickstream/");
    long jsonBytes = 0;
    for (DemoLine l : dataset.lines()) {
      jsonBytes += l.text().getBytes(StandardCharsets.UTF_8).length + 1L;
    }
    out.printf(Locale.ROOT, "  input     %,d lines, %s of JSON, %s gzip in %d objects%n", dataset.lines().size(),
        RunReport.mb(jsonBytes), RunReport.mb(dataset.rawBytes()), dataset.objects().size());
    try (LocalPipeline local = LocalPipeline.start(root, options, dev.featurepipe.config.ConfigLoader.loadBundled(),
        parallel, java.util.function.UnaryOperator.identity())) {
      local.upload(dataset);
      ObjectNode input = Json.mapper().createObjectNode().put("date", date.toString()).put("force", true);
      ObjectNode fanout = input.putObject("fanout");
      if (args.options().containsKey("shards")) {
        fanout.put("shards", args.intValue("bench", "shards", 1)); // else sized from Bronze rows, as in production
      }
      fanout.put("chunksPerExtract", args.intValue("bench", "chunks-per-extract", 1));
      for (String f : new String[] {"extractConcurrency", "transformConcurrency", "loadConcurrency"}) {
        fanout.put(f, parallel);
      }
      ExecutionResult cold = local.run(LocalPipeline.DAILY, "bench-cold", input);
      check(cold);
      ExecutionResult result = local.run(LocalPipeline.DAILY, "bench-warm", input);
      check(result);
      out.printf(Locale.ROOT, "  cold run  %s end to end (JIT warm-up included); warm run below%n",
          RunReport.ms(RunReport.total(cold)));

      JsonNode s = result.output();
      LakeStore lake = new LakeStore(local.clients().s3(), local.context().names().lakeBucket());
      RunRecord record = lake.getJson(LakeLayout.runRecord(s.get("runId").asText()), RunRecord.class);
      long bronzeBytes = bytes(record, "bronze");
      long silverBytes = bytes(record, "silver");
      long lines = dataset.lines().size();
      long bronzeRows = RunReport.number(s, "bronzeRows");
      long items = RunReport.number(s, "onlineItems");
      Map<String, Duration> d = RunReport.stageDurations(result, Main.DAILY_STAGES);

      Path json = Files.createDirectories(benchDir.resolve("duckdb").resolve("json"));
      Path bronze = Files.createDirectories(benchDir.resolve("duckdb").resolve("bronze"));
      for (ClickstreamGenerator.SourceObject o : dataset.objects()) {
        Files.write(json.resolve(o.key().substring(o.key().lastIndexOf('/') + 1)), o.gzip());
      }
      PartitionManifest manifest = lake.getJson(LakeLayout.bronzeManifest("clickstream", date), PartitionManifest.class);
      for (FileEntry f : manifest.files()) {
        Files.write(bronze.resolve(f.key().substring(f.key().lastIndexOf('/') + 1)), lake.get(f.key()));
      }
      Duration duckExtract = DuckDbBaseline.jsonToParquet(json, benchDir.resolve("duckdb").resolve("bronze.parquet"));
      Duration duckStats = DuckDbBaseline.productStats(bronze, benchDir.resolve("duckdb").resolve("stats.parquet"));

      out.printf(Locale.ROOT, "%n  %-18s %10s %12s %10s  %s%n", "stage", "wall", "rows/s", "MB/s", "counted");
      line(out, "ExtractAll", d.get("ExtractAll"), lines, jsonBytes, "JSON lines in, JSON MB");
      line(out, "  DuckDB, 1 thread", duckExtract, lines, jsonBytes, "same files to ZSTD Parquet, no validation or sort");
      line(out, "SealBronze", d.get("SealBronze"), bronzeRows, 0, "Bronze rows");
      line(out, "ShuffleAll", d.get("ShuffleAll"), bronzeRows, bronzeBytes, "Bronze rows routed to shards, per group");
      line(out, "BuildAllFeatures", d.get("BuildAllFeatures"), bronzeRows, bronzeBytes, "Bronze rows in, Parquet MB");
      Duration transform = d.getOrDefault("ShuffleAll", Duration.ZERO).plus(d.get("BuildAllFeatures"));
      line(out, "  shuffle + build", transform, bronzeRows, bronzeBytes, "the whole Transform stage");
      line(out, "  DuckDB, 1 thread", duckStats, bronzeRows, bronzeBytes, "same Bronze files to product_stats");
      line(out, "CommitAllGroups", d.get("CommitAllGroups"), RunReport.number(s, "silverRows"), silverBytes, "Silver rows");
      line(out, "LoadAllFeatures", d.get("LoadAllFeatures"), items, 0, "DynamoDB items (dynalite)");
      line(out, "PublishRun", d.get("PublishRun"), items, 0, "items covered");
      line(out, "end to end", RunReport.total(result), lines, jsonBytes, "JSON lines in");
      out.printf(Locale.ROOT, "%n  ratio to DuckDB (ours / DuckDB wall): Extract %.2f, Transform (shuffle + build) %.2f%n",
          ratio(d.get("ExtractAll"), duckExtract), ratio(transform, duckStats));
      out.printf(Locale.ROOT, "  bronze %s, silver %s, %,d products, sha256 %s%n", RunReport.mb(bronzeBytes),
          RunReport.mb(silverBytes), RunReport.number(s, "silverRows"), RunReport.text(s, "combinedSha256"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB baseline failed: " + e.getMessage(), e);
    }
  }

  private static void check(ExecutionResult r) {
    if (!r.status().equals("SUCCEEDED")) {
      throw new IllegalStateException("bench run failed: " + r.error().orElse("?") + " " + r.cause().orElse(""));
    }
  }

  private static long bytes(RunRecord record, String layer) {
    return record.outputs().stream().filter(o -> o.layer().equals(layer)).mapToLong(RunRecord.Output::bytes).sum();
  }

  private static double ratio(Duration ours, Duration theirs) {
    return ours == null ? Double.NaN : ours.toNanos() / (double) Math.max(1, theirs.toNanos());
  }

  private static void line(PrintStream out, String stage, Duration wall, long rows, long bytes, String what) {
    if (wall == null) {
      out.printf(Locale.ROOT, "  %-18s %10s%n", stage, "-");
      return;
    }
    double seconds = Math.max(wall.toNanos(), 1) / 1e9;
    out.printf(Locale.ROOT, "  %-18s %10s %,12.0f %10s  %s%n", stage, RunReport.ms(wall), rows / seconds,
        bytes == 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1e6 / seconds), what);
  }
}
