package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.config.PipelineConfig;
import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.quality.FeatureQualityGate;
import dev.featurepipe.quality.FeatureRules;
import dev.featurepipe.quality.RowChecker;
import dev.featurepipe.quality.RuleOutcome;
import dev.featurepipe.quality.SourceRules;
import dev.featurepipe.run.Fanout;
import dev.featurepipe.transform.BronzeShuffler;
import dev.featurepipe.transform.BucketFile;
import dev.featurepipe.transform.FeatureShardBuilder;
import dev.featurepipe.transform.ShardResult;
import dev.featurepipe.transform.SilverSchemas;
import dev.featurepipe.transform.engine.FeatureGroupSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;

/**
 * {@code ./featurepipe bench quality --stage transform [--rows N] [--repeat N]}: what feature-group
 * quality rules ({@code feature_groups[].quality}) add to the Transform stage. {@code --rows}
 * (default 10,000,000) clickstream events in one day's Bronze partition ({@link FeatureBenchData},
 * files of 250,000 rows) go through BuildFeatures as the workflow runs it: the group's shard count
 * from the bundled config's {@code fanout.rows_per_shard} (10 shards at the default size: a shard
 * holds its rows in the heap until its tiles are done, so the day is never built in one piece),
 * one ShuffleBronze per Bronze file (timed once: rules do not touch the map side), then every
 * shard's {@link FeatureShardBuilder#build} on this thread, summed. Two groups: {@code
 * product_stats} as bundled (one feature row per product) and the feature bench's {@code
 * user_activity} (a join, top-k, a ratio, a vector; ten times the feature rows).
 *
 * <p>Each shard is built without rules and with {@link #PRODUCT_RULES} / {@link #USER_RULES} (every
 * kind {@link FeatureRules} allows) back to back, which first alternating, after an untimed warm-up
 * of one shard of each; CommitFeatures' audit ({@link FeatureQualityGate#audit}) follows each pass
 * with rules. The figure that counts is this thread's CPU time: best of {@code --repeat} (default
 * 3) and each repeat's pair, beside the rules' {@link RowChecker} timed alone over the same feature
 * rows (the checks' own cost, in a loop short enough to escape most of the machine's noise).
 * Checked, not only timed: both builds of a shard must write byte-identical tile and feature files
 * (same keys, which are content hashes), and the shards' input rows must add up to the partition's.
 */
final class FeatureQualityBench {

  static final int ROWS_DEFAULT = 10_000_000;

  static final int ROWS_MIN = 1_000;

  /** Shuffle keys name the code version; any fixed text keeps the bench's shuffle files reusable. */
  private static final String CODE_VERSION = "bench";

  /**
   * {@code product_stats}'s rules, every kind a feature group takes. It has no categorical feature,
   * so {@code in} stands on a small count (a warn: the busiest products break it).
   */
  static final String PRODUCT_RULES = """
      - {rule: IsComplete, column: product_id}
      - {rule: Completeness, column: revenue_30d, min: 0.99}
      - {rule: ColumnValues, column: views_1d, between: [0, 10000000]}
      - {rule: ColumnValues, column: revenue_30d, between: [0, 100000000]}
      - {rule: ColumnValues, column: purchases_1d, in: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], action: warn}
      - {rule: ColumnValues, column: product_id, matches: '^prod-(ü-)?[0-9]{5}$'}
      - {rule: RowCount, between: [1, 10000000]}
      - {rule: RowCountChange, max_percent: 20}
      - {rule: DistributionDrift, column: views_7d, max_psi: 0.2}
      - {rule: DistributionDrift, column: distinct_users_30d, max_psi: 0.2}
      - {rule: DistributionDrift, column: revenue_30d, range: [0, 100000], bins: 20, max_psi: 0.2}
      """;

  /** {@code user_activity}'s rules: the same kinds on its columns ({@code ctr} is null without views). */
  static final String USER_RULES = """
      - {rule: IsComplete, column: user_id}
      - {rule: Completeness, column: ctr_30d, min: 0.5}
      - {rule: ColumnValues, column: ctr_7d, between: [0, 1000]}
      - {rule: ColumnValues, column: revenue_30d, between: [0, 100000000]}
      - {rule: ColumnValues, column: purchases_1d, in: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], action: warn}
      - {rule: ColumnValues, column: user_id, matches: '^user-[0-9]{7}$'}
      - {rule: RowCount, between: [1, 100000000]}
      - {rule: RowCountChange, max_percent: 20}
      - {rule: DistributionDrift, column: events_7d, max_psi: 0.2}
      - {rule: DistributionDrift, column: ctr_30d, range: [0, 2], bins: 20, max_psi: 0.2}
      - {rule: DistributionDrift, column: revenue_30d, max_psi: 0.2}
      """;

  record Options(int rows, int repeat) {}

  /** One pass over every shard of a group: wall and this thread's CPU, summed over the shards. */
  record Pass(long wallNanos, long cpuNanos, List<ShardResult> shards) {}

  /**
   * One group's figures. {@code plain} and {@code checked}: the passes without and with rules, in
   * repeat order, and {@code audits} the CPU of CommitFeatures' audit after each pass with rules;
   * {@code checksAloneCpuNanos}: the least CPU of the rules' {@link RowChecker} alone over the day's
   * feature rows (read back, outside any build).
   */
  record GroupResult(String group, int shards, int rules, long inputRows, long featureRows, long shuffleCpuNanos,
      List<Pass> plain, List<Pass> checked, List<Long> audits, long checksAloneCpuNanos, String outcome) {

    Pass bestPlain() {
      return plain.stream().min(Comparator.comparingLong(Pass::cpuNanos)).orElseThrow();
    }

    Pass bestChecked() {
      return checked.stream().min(Comparator.comparingLong(Pass::cpuNanos)).orElseThrow();
    }

    long bestAudit() {
      return Collections.min(audits);
    }

    /** Best with rules plus the least audit, over best without, as a fraction. */
    double overhead() {
      return (bestChecked().cpuNanos() + bestAudit() - bestPlain().cpuNanos()) / (double) bestPlain().cpuNanos();
    }

    /** Each repeat's pair: its pass with rules plus its audit, over its pass without. */
    List<Double> pairs() {
      List<Double> out = new ArrayList<>();
      for (int i = 0; i < plain.size(); i++) {
        out.add((checked.get(i).cpuNanos() + audits.get(i) - plain.get(i).cpuNanos())
            / (double) plain.get(i).cpuNanos());
      }
      return out;
    }
  }

  private FeatureQualityBench() {}

  static Options options(Args args) {
    String command = "bench quality --stage transform";
    int rows = args.intValue(command, "rows", ROWS_DEFAULT);
    int repeat = args.intValue(command, "repeat", FeatureBench.REPEAT_DEFAULT);
    if (rows < ROWS_MIN || repeat < 1 || repeat > 10) {
      throw new Args.UsageError(command + ": --rows at least " + ROWS_MIN + " and --repeat 1 to 10, got " + rows
          + " and " + repeat);
    }
    return new Options(rows, repeat);
  }

  static List<GroupResult> run(Options options, Path dir, PrintStream out) {
    LocalDate dt = LocalDate.parse(Main.DEMO_DATE);
    PipelineConfig config = ConfigLoader.loadBundled().config();
    Fanout fanout = Fanout.of(config.fanout());
    out.printf(Locale.ROOT, "FeaturePipe feature-quality bench: clickstream %,d rows in one day (%s), BuildFeatures"
        + " on 1 thread, best of %d, %d cores, JDK %s, max heap %,d MB%n  load average at start: %s%n", options.rows(),
        dt, options.repeat(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20, ConnectorBench.loadAverage());
    long g0 = System.nanoTime();
    FeatureBenchData.Dataset data = FeatureBenchData.prepare(dir.resolve("data"), options.rows(), dt, 1);
    out.printf(Locale.ROOT, "  input     %,d Bronze rows, %s of Parquet in %d files, ready in %.1f s (reused when the"
        + " size matches)%n", data.rows(), RunReport.mb(data.bronzeBytes()), data.days().get(0).size(),
        (System.nanoTime() - g0) / 1e9);

    FeatureGroupConfig bundled = config.group("product_stats_v1").orElseThrow(
        () -> new IllegalStateException("[BUG] the bundled config has no product_stats_v1"));
    FeatureGroupSpec users = FeatureBench.spec(FeatureBench.USER_ACTIVITY);
    List<FeatureGroupConfig[]> groups = List.of(
        withRules(bundled, PRODUCT_RULES),
        withRules(new FeatureGroupConfig(users.name(), users.version(), users.source(), List.of("products"),
            bundled.buckets(), bundled.onlineTtlDays(), users, "{}", empty(users)), USER_RULES));

    Path stackDir = dir.resolve("stack");
    Main.deleteRecursively(stackDir);
    StackOptions stackOptions = StackOptions.defaults(RepoRoot.locate())
        .withStateDir(stackDir).withPorts(0, 0);
    List<GroupResult> results = new ArrayList<>();
    try (EmbeddedStack embedded = EmbeddedStack.start(stackOptions);
        AwsClients clients = new AwsClients(embedded.awsSettings())) {
      LakeStore lake = new LakeStore(clients.s3(), stackOptions.lakeBucket());
      PartitionManifest bronze = upload(lake, "clickstream", "clickstream_event_v1", dt, data.days().get(0),
          rowsPerFile(data));
      long productRows = FeatureBenchData.read(List.of(data.products()), FeatureBenchData.PRODUCTS).size();
      SortedMap<String, FeatureShardBuilder.Dimension> products = new TreeMap<>();
      products.put("products", new FeatureShardBuilder.Dimension(FeatureBenchData.PRODUCTS,
          upload(lake, "products", "products", dt, List.of(data.products()), List.of(productRows))));
      for (FeatureGroupConfig[] g : groups) {
        int shards = fanout.shardsFor(data.rows(), g[0].buckets());
        results.add(group(lake, dt, g[0], g[1], bronze, g[0].joinSources().isEmpty() ? new TreeMap<>() : products,
            shards, data.rows(), options.repeat(), out));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.printf(Locale.ROOT, "  load average at end: %s%n", ConnectorBench.loadAverage());
    print(results, data.rows(), options, out);
    return results;
  }

  /** {@code [without rules, with rules]} of one group. */
  private static FeatureGroupConfig[] withRules(FeatureGroupConfig g, String yaml) {
    List<JsonNode> nodes = new ArrayList<>();
    try {
      new YAMLMapper().readTree(yaml).forEach(nodes::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> violations = new ArrayList<>();
    SourceRules rules = FeatureRules.parse(g.name(), g.versionedName(), nodes, SilverSchemas.features(g), violations);
    if (!violations.isEmpty()) {
      throw new IllegalStateException("[BUG] the bench's rules for " + g.name() + " do not parse:\n  "
          + String.join("\n  ", violations));
    }
    return new FeatureGroupConfig[] {
      new FeatureGroupConfig(g.name(), g.version(), g.source(), g.joinSources(), g.buckets(), g.onlineTtlDays(),
          g.spec(), g.definition(), empty(g.spec())),
      new FeatureGroupConfig(g.name(), g.version(), g.source(), g.joinSources(), g.buckets(), g.onlineTtlDays(),
          g.spec(), g.definition(), rules)};
  }

  private static SourceRules empty(FeatureGroupSpec spec) {
    return new SourceRules(FeatureRules.reportId(spec.versionedName()), List.of());
  }

  /**
   * Puts {@code files} into the lake as a sealed Bronze partition of {@code source}, with {@code
   * rows.get(i)} rows in file i.
   */
  private static PartitionManifest upload(LakeStore lake, String source, String schema, LocalDate dt, List<Path> files,
      List<Long> rows) throws IOException {
    List<FileEntry> entries = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      byte[] bytes = Files.readAllBytes(files.get(i));
      String chunk = String.format(Locale.ROOT, "bench-%05d", i);
      entries.add(lake.put(LakeLayout.bronzeFile(source, dt, chunk, Hashing.sha256Hex(bytes)), bytes, rows.get(i),
          "application/vnd.apache.parquet"));
    }
    return new PartitionManifest("bronze", source, dt.toString(), "bench", schema, "bench", entries, List.of(),
        List.of(), rows.stream().mapToLong(Long::longValue).sum(), 0, new TreeMap<>());
  }

  /** A one-day dataset's files: every one but the last holds {@link FeatureBenchData#ROWS_PER_FILE} rows. */
  private static List<Long> rowsPerFile(FeatureBenchData.Dataset data) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < data.days().get(0).size(); i++) {
      out.add(Math.min(FeatureBenchData.ROWS_PER_FILE, data.rows() - (long) i * FeatureBenchData.ROWS_PER_FILE));
    }
    return out;
  }

  private static GroupResult group(LakeStore lake, LocalDate dt, FeatureGroupConfig plain, FeatureGroupConfig checked,
      PartitionManifest bronze, SortedMap<String, FeatureShardBuilder.Dimension> dimensions, int shards, long rows,
      int repeat, PrintStream out) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    String name = plain.versionedName();
    long shuffleCpu = 0;
    if (shards > 1) {
      // The map side, as ShuffleAll runs it: the same for both passes (its key ignores the rules).
      long c0 = cpu.getCurrentThreadCpuTime();
      BronzeShuffler shuffler = new BronzeShuffler(lake);
      for (FileEntry f : bronze.files()) {
        shuffler.shuffle(plain, ClickstreamSchema.BRONZE, dt, f, shards, CODE_VERSION, true);
      }
      shuffleCpu = cpu.getCurrentThreadCpuTime() - c0;
    }
    out.printf(Locale.ROOT, "%n  %s: %d shards (fanout.rows_per_shard), %d rules; %s%n", name, shards,
        checked.quality().rules().size(), shards == 1 ? "no shuffle (one shard reads Bronze itself)"
            : String.format(Locale.ROOT, "ShuffleBronze of %d files %,d ms CPU (once, not in the passes)",
                bronze.files().size(), shuffleCpu / 1_000_000));
    // Warm-up, untimed: one shard of each, so the JIT has compiled both paths before any timing.
    build(lake, dt, plain, bronze, dimensions, shards, 0, "warm-plain");
    build(lake, dt, checked, bronze, dimensions, shards, 0, "warm-rules");
    List<Pass> plainPasses = new ArrayList<>();
    List<Pass> checkedPasses = new ArrayList<>();
    List<Long> audits = new ArrayList<>();
    FeatureQualityGate.Verdict verdict = null;
    for (int i = 0; i < repeat; i++) {
      Pass[] pair = pair(lake, dt, plain, checked, bronze, dimensions, shards, i);
      Pass p = pair[0];
      Pass c = pair[1];
      check(name, rows, p, c);
      long entities = c.shards().stream().mapToLong(ShardResult::entities).sum();
      long a0 = cpu.getCurrentThreadCpuTime();
      // RowCountChange against 7 steady earlier days (what CommitFeatures reads from main's snapshots).
      verdict = FeatureQualityGate.audit(lake, "rules-" + i, dt, checked,
          c.shards().stream().map(ShardResult::quality).toList(), entities, Collections.nCopies(7, entities));
      long audit = cpu.getCurrentThreadCpuTime() - a0;
      plainPasses.add(p);
      checkedPasses.add(c);
      audits.add(audit);
      out.printf(Locale.ROOT, "  repeat %d: without rules %,7d ms CPU (wall %,7d ms), with rules %,7d ms CPU (wall %,7d"
          + " ms) + audit %,d ms CPU: %+.1f%%; load %s%n", i + 1, p.cpuNanos() / 1_000_000, p.wallNanos() / 1_000_000,
          c.cpuNanos() / 1_000_000, c.wallNanos() / 1_000_000, audit / 1_000_000,
          100.0 * (c.cpuNanos() + audit - p.cpuNanos()) / p.cpuNanos(), ConnectorBench.loadAverage());
    }
    Pass last = checkedPasses.get(checkedPasses.size() - 1);
    long featureRows = last.shards().stream().mapToLong(ShardResult::entities).sum();
    long alone = checksAlone(lake, checked, last, repeat);
    List<String> notPassed = verdict.report().sources().get(0).rules().stream()
        .filter(r -> !r.outcome().equals(RuleOutcome.PASS)).map(r -> r.outcome() + " " + r.label()).toList();
    String outcome = verdict.report().outcome() + " (" + verdict.report().rulesPassed() + " of "
        + verdict.report().rules() + " rules passed" + (notPassed.isEmpty() ? "" : "; " + String.join(", ", notPassed))
        + ")";
    return new GroupResult(name, shards, checked.quality().rules().size(), rows, featureRows, shuffleCpu, plainPasses,
        checkedPasses, audits, alone, outcome);
  }

  /**
   * One repeat: every shard built without and with rules on this thread, the two builds of a shard
   * back to back (which goes first alternates), so each pair meets the same machine; {@code [without,
   * with]}, each summed over the shards as BuildAllFeatures' items.
   */
  private static Pass[] pair(LakeStore lake, LocalDate dt, FeatureGroupConfig plain, FeatureGroupConfig checked,
      PartitionManifest bronze, SortedMap<String, FeatureShardBuilder.Dimension> dimensions, int shards, int repeat) {
    long[][] time = new long[2][2];
    List<List<ShardResult>> results = List.of(new ArrayList<>(), new ArrayList<>());
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int s = 0; s < shards; s++) {
      for (int k = 0; k < 2; k++) {
        int v = (s + repeat + k) % 2;
        System.gc(); // the previous build's garbage is not this one's to collect
        long c0 = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        results.get(v).add(build(lake, dt, v == 0 ? plain : checked, bronze, dimensions, shards, s,
            (v == 0 ? "plain-" : "rules-") + repeat));
        time[v][0] += System.nanoTime() - t0;
        time[v][1] += cpu.getCurrentThreadCpuTime() - c0;
      }
    }
    return new Pass[] {new Pass(time[0][0], time[0][1], results.get(0)), new Pass(time[1][0], time[1][1],
        results.get(1))};
  }

  private static ShardResult build(LakeStore lake, LocalDate dt, FeatureGroupConfig group, PartitionManifest bronze,
      SortedMap<String, FeatureShardBuilder.Dimension> dimensions, int shards, int shard, String runId) {
    // The first day of the group: no stored tiles of earlier days to merge, so the build is at its
    // cheapest and the rules' share at its largest.
    return new FeatureShardBuilder(lake).build(runId, dt, group, ClickstreamSchema.BRONZE, bronze, dimensions,
        List.of(), shard, shards, "bench", CODE_VERSION);
  }

  /** The bench times only a correct path: rules must not change a byte, and no row may be lost. */
  private static void check(String group, long rows, Pass plain, Pass checked) {
    for (int s = 0; s < plain.shards().size(); s++) {
      ShardResult p = plain.shards().get(s);
      ShardResult c = checked.shards().get(s);
      if (!p.tileFiles().equals(c.tileFiles()) || !p.featureFiles().equals(c.featureFiles())) {
        throw new IllegalStateException("[BUG] " + group + " shard " + s + " wrote other files with rules than without:"
            + "\n  without " + p.featureFiles() + "\n  with    " + c.featureFiles());
      }
      if (p.quality() != null || c.quality() == null) {
        throw new IllegalStateException("[BUG] " + group + " shard " + s + ": quality statistics " + p.quality()
            + " without rules, " + c.quality() + " with");
      }
    }
    long in = checked.shards().stream().mapToLong(ShardResult::inputRows).sum();
    if (in != rows) {
      throw new IllegalStateException("[BUG] " + group + "'s shards read " + in + " rows of the partition's " + rows);
    }
  }

  /** The checker alone over the pass's feature rows, read back first (untimed): least CPU of {@code repeat}. */
  private static long checksAlone(LakeStore lake, FeatureGroupConfig group, Pass pass, int repeat) {
    Schema schema = SilverSchemas.features(group);
    List<Record> rows = new ArrayList<>();
    for (ShardResult s : pass.shards()) {
      for (BucketFile f : s.featureFiles()) {
        rows.addAll(ParquetFiles.read(lake.get(f.file().key()), schema));
      }
    }
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < repeat + 1; i++) {
      long c0 = cpu.getCurrentThreadCpuTime();
      RowChecker checker = new RowChecker(group.quality(), schema);
      for (Record r : rows) {
        checker.check(r);
      }
      checker.finish((rule, bytes) -> {
        throw new IllegalStateException("[BUG] feature rules have no IsUnique");
      });
      long used = cpu.getCurrentThreadCpuTime() - c0;
      if (i > 0) { // the first round warms the JIT up
        best = Math.min(best, used);
      }
    }
    return best;
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  private static void print(List<GroupResult> results, long rows, Options options, PrintStream out) {
    out.printf(Locale.ROOT, "%nBuildFeatures at %,d Bronze rows in one day, every shard on one thread, best of %d by"
        + " CPU; rows per CPU-s count Bronze rows in:%n%n", rows, options.repeat());
    out.println("| group | shards | feature rows | pass | best CPU | rows per CPU-s | wall of that pass |");
    out.println("|---|---:|---:|---|---:|---:|---:|");
    for (GroupResult g : results) {
      Pass p = g.bestPlain();
      Pass c = g.bestChecked();
      out.printf(Locale.ROOT, "| %s | %d | %,d | without rules | %,d ms | %,.0f | %,d ms |%n", g.group(), g.shards(),
          g.featureRows(), p.cpuNanos() / 1_000_000, g.inputRows() / sec(p.cpuNanos()), p.wallNanos() / 1_000_000);
      out.printf(Locale.ROOT, "|  |  |  | with %d rules | %,d ms | %,.0f | %,d ms |%n", g.rules(),
          c.cpuNanos() / 1_000_000, g.inputRows() / sec(c.cpuNanos()), c.wallNanos() / 1_000_000);
      out.printf(Locale.ROOT, "|  |  |  | CommitFeatures' audit | %,d ms | | |%n", g.bestAudit() / 1_000_000);
      out.printf(Locale.ROOT, "|  |  |  | **overhead** (with rules + audit vs without) | **%+.1f%%** (pairs: %s) | | |%n",
          100 * g.overhead(), String.join(", ", g.pairs().stream()
              .map(x -> String.format(Locale.ROOT, "%+.1f%%", 100 * x)).toList()));
      out.printf(Locale.ROOT, "|  |  |  | the checks alone (RowChecker over the feature rows) | %,d ms (%.2f%% of the"
          + " build) | | |%n", g.checksAloneCpuNanos() / 1_000_000,
          100.0 * g.checksAloneCpuNanos() / p.cpuNanos());
    }
    out.println();
    for (GroupResult g : results) {
      String shuffle = g.shards() == 1 ? "no shuffle" : String.format(Locale.ROOT, "ShuffleBronze %,d ms CPU, so"
          + " against shuffle + build the overhead is %+.1f%%", g.shuffleCpuNanos() / 1_000_000,
          100 * g.overhead() * g.bestPlain().cpuNanos() / (g.bestPlain().cpuNanos() + g.shuffleCpuNanos()));
      out.printf(Locale.ROOT, "  %-16s audit outcome %s; %s; outputs byte-identical in every pair%n", g.group(),
          g.outcome(), shuffle);
    }
    out.printf(Locale.ROOT, "  budget (issue 6): at most +15%% of the Transform stage at 10M rows%n");
  }

  private static double sec(long nanos) {
    return Math.max(1, nanos) / 1e9;
  }
}
