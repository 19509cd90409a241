package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.aws.LocalSecrets;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.extract.BronzeChunkWriter;
import dev.featurepipe.extract.CheckpointStore;
import dev.featurepipe.extract.ChunkResult;
import dev.featurepipe.extract.ConnectorContext;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.extract.SourceConnectors;
import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.quality.SourceRules;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./featurepipe bench quality [--stage extract|transform] [--rows N] [--repeat N]}: what the
 * quality rules add to a stage; {@code --stage transform} is the feature groups' rules in
 * BuildFeatures ({@link FeatureQualityBench}). The default, {@code extract}: what the Bronze rules add
 * to Extract. The demo clickstream ({@code --rows}, default 1,000,000, in 2 objects) is extracted
 * on one thread exactly as the Extract step does (connector, then the Bronze chunk writer), without
 * rules and with {@link #RULES} (one or more of every kind), alternating, best of {@code --repeat}
 * (default 3). Reported: wall time and the extract thread's CPU time of each, and the difference.
 */
final class QualityBench {

  /** Rules of every kind on the clickstream, as a user would declare them. */
  static final String RULES = """
      - {rule: IsComplete, column: user_id}
      - {rule: Completeness, column: session_id, min: 0.6}
      - {rule: ColumnValues, column: price, between: [0, 100000]}
      - {rule: ColumnValues, column: event_type, in: [view, click, add_to_cart, purchase]}
      - {rule: ColumnValues, column: user_id, matches: '^user-[0-9]+$'}
      - {rule: IsUnique, column: event_id, action: warn}
      - {rule: RowCount, between: [1, 100000000]}
      - {rule: RowCountChange, max_percent: 20}
      - {rule: Freshness, column: event_time, max_age_hours: 30}
      - {rule: DistributionDrift, column: price, max_psi: 0.2}
      - {rule: DistributionDrift, column: event_type, max_psi: 0.2}
      """;

  private QualityBench() {}

  private record Pass(long wallNanos, long cpuNanos, long rows, long quarantined) {}

  static void run(Args args, PrintStream out) {
    String stage = args.get("stage", "extract");
    if (stage.equals("transform")) {
      FeatureQualityBench.run(FeatureQualityBench.options(args),
          RepoRoot.locate().resolve(StackOptions.DEFAULT_STATE_DIR_NAME).resolve("bench-feature-quality"), out);
      return;
    }
    if (!stage.equals("extract")) {
      throw new Args.UsageError("bench quality: --stage must be extract or transform, got " + stage);
    }
    String command = "bench quality";
    int rows = args.intValue(command, "rows", 1_000_000);
    int repeat = args.intValue(command, "repeat", 3);
    if (rows < 1000 || repeat < 1 || repeat > 10) {
      throw new Args.UsageError(command + ": --rows at least 1000 and --repeat 1 to 10, got " + rows + " and " + repeat);
    }
    LocalDate dt = LocalDate.parse(Main.DEMO_DATE);
    Path dir = RepoRoot.locate().resolve(StackOptions.DEFAULT_STATE_DIR_NAME).resolve("bench-quality");
    Main.deleteRecursively(dir);
    StackOptions options = StackOptions.defaults(RepoRoot.locate()).withStateDir(dir.resolve("stack")).withPorts(0, 0);
    out.printf(Locale.ROOT, "FeaturePipe quality bench: clickstream %,d rows in 2 objects, 1 thread, best of %d, %d cores,"
        + " JDK %s%n  load average at start: %s%n", rows, repeat, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), ConnectorBench.loadAverage());
    try (EmbeddedStack embedded = EmbeddedStack.start(options);
        AwsClients clients = new AwsClients(embedded.awsSettings())) {
      ConnectorContext ctx = new ConnectorContext(clients.s3(), options.sourceBucket(), options.lakeBucket(),
          new CheckpointStore(clients.dynamoDb(), options.controlTable()), new LocalSecrets(Map.of()));
      LakeStore lake = new LakeStore(clients.s3(), options.lakeBucket());
      var spec = new ClickstreamGenerator.Spec(42L, dt, rows, 2, Math.max(10, rows / 200), Math.max(10, rows / 20), 0);
      for (var o : ClickstreamGenerator.generate(spec, "clickstream/").objects()) {
        clients.s3().putObject(b -> b.bucket(options.sourceBucket()).key(o.key()),
            software.amazon.awssdk.core.sync.RequestBody.fromBytes(o.gzip()));
      }
      List<JsonNode> rules = new ArrayList<>();
      new YAMLMapper().readTree(RULES).forEach(rules::add);
      SourceConfig plain = new SourceConfig("clickstream", "s3_jsonl", "clickstream/", "clickstream_event_v1", null);
      SourceConfig checked = new SourceConfig("clickstream", "s3_jsonl", "clickstream/", "clickstream_event_v1", null,
          rules);
      List<ExtractItem> items = SourceConnectors.create(plain, ctx).plan(dt);

      pass(plain, ctx, lake, dt, items, "warm-plain");
      pass(checked, ctx, lake, dt, items, "warm-rules");
      Pass bestPlain = null;
      Pass bestRules = null;
      for (int i = 0; i < repeat; i++) {
        Pass p = pass(plain, ctx, lake, dt, items, "plain-" + i);
        Pass r = pass(checked, ctx, lake, dt, items, "rules-" + i);
        out.printf(Locale.ROOT, "  repeat %d: without rules %,6d ms (CPU %,6d ms), with %d rules %,6d ms (CPU %,6d ms)%n",
            i + 1, p.wallNanos() / 1_000_000, p.cpuNanos() / 1_000_000, rules.size(), r.wallNanos() / 1_000_000,
            r.cpuNanos() / 1_000_000);
        bestPlain = bestPlain == null || p.cpuNanos() < bestPlain.cpuNanos() ? p : bestPlain;
        bestRules = bestRules == null || r.cpuNanos() < bestRules.cpuNanos() ? r : bestRules;
      }
      out.printf(Locale.ROOT, "%n  %-22s wall %,7d ms  CPU %,7d ms  %,10.0f rows/CPU-s  Bronze %,d rows%n", "without rules",
          bestPlain.wallNanos() / 1_000_000, bestPlain.cpuNanos() / 1_000_000,
          bestPlain.rows() / (bestPlain.cpuNanos() / 1e9), bestPlain.rows());
      out.printf(Locale.ROOT, "  %-22s wall %,7d ms  CPU %,7d ms  %,10.0f rows/CPU-s  Bronze %,d rows, %,d quarantined%n",
          "with " + rules.size() + " rules", bestRules.wallNanos() / 1_000_000, bestRules.cpuNanos() / 1_000_000,
          (bestRules.rows() + bestRules.quarantined()) / (bestRules.cpuNanos() / 1e9), bestRules.rows(),
          bestRules.quarantined());
      out.printf(Locale.ROOT, "  overhead (best vs best): CPU %+.1f%%, wall %+.1f%% (budget: 15%%)%n",
          100.0 * (bestRules.cpuNanos() - bestPlain.cpuNanos()) / bestPlain.cpuNanos(),
          100.0 * (bestRules.wallNanos() - bestPlain.wallNanos()) / bestPlain.wallNanos());
      out.printf(Locale.ROOT, "  load average at end: %s%n", ConnectorBench.loadAverage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Extracts every item on this thread as the Extract step does; CPU is this thread's. */
  private static Pass pass(SourceConfig source, ConnectorContext ctx, LakeStore lake, LocalDate dt,
      List<ExtractItem> items, String runId) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long c0 = cpu.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    BronzeChunkWriter writer = new BronzeChunkWriter(lake);
    long rows = 0;
    long quarantined = 0;
    for (ExtractItem item : items) {
      SourceConnector connector = SourceConnectors.create(source, ctx);
      ChunkResult r = writer.write(connector, item, runId, dt, BronzeChunkWriter.fingerprint(item, "bench", "bench"),
          SourceRules.of(source, connector.bronzeSchema()));
      rows += r.bronze().rows();
      quarantined += r.quarantined();
    }
    return new Pass(System.nanoTime() - t0, cpu.getCurrentThreadCpuTime() - c0, rows, quarantined);
  }
}
