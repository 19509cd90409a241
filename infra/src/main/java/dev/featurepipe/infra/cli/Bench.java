package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.infra.demo.DemoLine;
import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lineage.RunRecord;
import dev.featurepipe.ops.Json;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./featurepipe bench}: the demo at a chosen size in a scratch stack, with rows/s and MB/s
 * per stage and end to end. Wall times come from the execution history (the runner's clock).
 */
final class Bench {

  private Bench() {}

  static void run(Args args, PrintStream out) {
    int events = args.intValue("bench", "events", 1_000_000);
    LocalDate date = LocalDate.parse(args.get("date", Main.DEMO_DATE));
    Path root = RepoRoot.locate();
    Path stateDir = root.resolve(".featurepipe").resolve("bench");
    Main.deleteRecursively(stateDir);
    StackOptions options = StackOptions.defaults(root).withStateDir(stateDir).withPorts(0, 0);
    int cores = Runtime.getRuntime().availableProcessors();
    out.printf(Locale.ROOT, "FeaturePipe bench: %,d events, %d cores, JDK %s%n", events, cores,
        System.getProperty("java.version"));
    long t0 = System.nanoTime();
    var dataset = ClickstreamGenerator.generate(ClickstreamGenerator.Spec.demo(date, events), "clickstream/");
    long jsonBytes = 0;
    for (DemoLine l : dataset.lines()) {
      jsonBytes += l.text().getBytes(StandardCharsets.UTF_8).length + 1L;
    }
    out.printf(Locale.ROOT, "  generated %,d lines (%s JSON, %s gzip, %d objects) in %s%n", dataset.lines().size(),
        RunReport.mb(jsonBytes), RunReport.mb(dataset.rawBytes()), dataset.objects().size(),
        RunReport.ms(Duration.ofNanos(System.nanoTime() - t0)));
    try (LocalPipeline local = LocalPipeline.start(root, options)) {
      local.upload(dataset);
      ObjectNode input = Json.mapper().createObjectNode().put("date", date.toString()).put("force", true);
      ObjectNode fanout = input.putObject("fanout");
      fanout.put("shards", args.intValue("bench", "shards", 4));
      fanout.put("chunksPerExtract", args.intValue("bench", "chunks-per-extract", 1));
      ExecutionResult result = local.run(LocalPipeline.DAILY, "bench-" + System.currentTimeMillis(), input);
      if (!result.status().equals("SUCCEEDED")) {
        throw new IllegalStateException("bench run failed: " + result.error().orElse("?") + " " + result.cause().orElse(""));
      }
      JsonNode s = result.output();
      RunRecord record = new LakeStore(local.clients().s3(), local.context().names().lakeBucket())
          .getJson(LakeLayout.runRecord(s.get("runId").asText()), RunRecord.class);
      long bronzeBytes = record.outputs().stream().filter(o -> o.layer().equals("bronze")).mapToLong(RunRecord.Output::bytes).sum();
      long silverBytes = record.outputs().stream().filter(o -> o.layer().equals("silver")).mapToLong(RunRecord.Output::bytes).sum();
      Map<String, Duration> d = RunReport.stageDurations(result, Main.DAILY_STAGES);
      long lines = dataset.lines().size();
      long bronzeRows = RunReport.number(s, "bronzeRows");
      long items = RunReport.number(s, "onlineItems");
      out.printf(Locale.ROOT, "%n  %-18s %10s %14s %14s %12s%n", "stage", "wall", "rows/s", "MB/s", "input");
      line(out, "ExtractAll", d.get("ExtractAll"), lines, jsonBytes, "JSON lines");
      line(out, "SealBronze", d.get("SealBronze"), bronzeRows, 0, "manifest");
      line(out, "BuildAllFeatures", d.get("BuildAllFeatures"), bronzeRows, bronzeBytes, "Bronze rows");
      line(out, "CommitAllGroups", d.get("CommitAllGroups"), RunReport.number(s, "silverRows"), silverBytes, "Silver rows");
      line(out, "LoadAllFeatures", d.get("LoadAllFeatures"), items, 0, "DynamoDB items");
      line(out, "PublishRun", d.get("PublishRun"), items, 0, "meta + record");
      line(out, "end to end", RunReport.total(result), lines, jsonBytes, "JSON lines");
      out.printf(Locale.ROOT, "%n  bronze %s, silver %s, sha256 %s%n", RunReport.mb(bronzeBytes), RunReport.mb(silverBytes),
          RunReport.text(s, "combinedSha256"));
    }
  }

  private static void line(PrintStream out, String stage, Duration wall, long rows, long bytes, String what) {
    if (wall == null) {
      out.printf(Locale.ROOT, "  %-18s %10s%n", stage, "-");
      return;
    }
    double seconds = Math.max(wall.toNanos(), 1) / 1e9;
    out.printf(Locale.ROOT, "  %-18s %10s %,14.0f %14s %12s%n", stage, RunReport.ms(wall), rows / seconds,
        bytes == 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1e6 / seconds), what);
  }
}
