package dev.featurepipe.infra.cli;

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
import dev.featurepipe.infra.cli.ConnectorBenchSources.Case;
import dev.featurepipe.infra.cli.ConnectorBenchSources.Env;
import dev.featurepipe.infra.cli.ConnectorBenchSources.Prepared;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.LakeStore;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;

/**
 * {@code ./featurepipe bench connectors}: each source connector's Extract throughput into Bronze.
 * For every case of {@link ConnectorBenchSources#CASES} it loads a seeded dataset into the real
 * source, plans the date (two items), then times exactly what one Extract item does in the
 * workflow ({@code SourceConnectors.create} and {@code BronzeChunkWriter.write}: read, validate,
 * sort, encode Parquet, PUT to the embedded S3): after an untimed warm-up item, both items one
 * after the other on one thread (rows/s per core) and the two items on two threads at once. Every
 * pass is checked (Bronze rows equal the generated rows, nothing quarantined) and the Bronze files
 * are read back by DuckDB, so a broken path is never timed. A baseline runs on the same source.
 */
final class ConnectorBench {

  /** 1M rows keep every case at a few seconds per pass, the whole bench at a few minutes. */
  static final int ROWS_DEFAULT = 1_000_000;

  /**
   * Each timed pass runs this many times; the best counts and the spread is printed. Two keep the
   * default run near five minutes on 2 idle vCPUs; docs/BENCHMARKS.md records a run with 3.
   */
  static final int REPEAT_DEFAULT = 2;

  /** Below this, per-item setup (a connection, a client) is all that gets measured. */
  static final int ROWS_MIN = 100;

  static final String PG_SECRET = "BENCH_PG_LOGIN";

  /** arm64 Lambda price per GB-second (us-east-1, first 7.5 billion GB-s a month). */
  static final double USD_PER_GB_SECOND = 0.0000133334;

  /** The memory size at which a Lambda function gets one full vCPU. */
  static final int LAMBDA_MB = 1769;

  /** Lambda's 15-minute limit. */
  static final int LAMBDA_SECONDS = 900;

  /** The daily window of DESIGN.md section 9: 1 TB in 2 hours. */
  static final int WINDOW_SECONDS = 7200;

  /**
   * Of a 1,769 MB function, what one chunk's rows may hold while {@code BronzeChunkWriter} keeps
   * them all to sort; the rest goes to the JVM itself, SDK buffers and the Parquet output. An
   * assumption, stated with the numbers that use it.
   */
  static final long HEAP_FOR_ROWS = 1L << 30;

  static final double TB = 1e12;

  record Options(int rows, List<String> only, int repeat) {}

  /** The embedded stack as connectors see it. */
  record Stack(AwsClients clients, String sourceBucket, ConnectorContext ctx, LakeStore lake) {}

  /**
   * The best and worst wall time of a timed pass's repeats, and the least CPU time, in any repeat,
   * of its extract threads and of the client side as a whole: the JVM's CPU time less the embedded
   * servers' threads (S3Proxy, the API server), so it holds what a Lambda would run, GC and JIT
   * included. PostgreSQL is another process. On a shared machine CPU time holds far steadier than
   * wall time: a thread waiting for a core costs wall time but no CPU time.
   */
  record Timing(Duration best, Duration worst, Duration threadCpu, Duration clientCpu) {
    double spread() {
      return (worst.toNanos() - best.toNanos()) / (double) best.toNanos();
    }
  }

  /** One case's figures; rates are per wall second, {@code single} on one thread, {@code parallel} on two. */
  record Result(String kind, String format, long rows, int items, long sourceBytes, long decodedBytes, String bytesOf,
      Timing single, Timing parallel, String baselineLabel, Duration baseline, long bronzeRows, long quarantined,
      long readBackRows, double heapBytesPerRow) {

    String id() {
      return kind + ":" + format;
    }

    double rowsPerSecond(Duration d) {
      return rows / seconds(d);
    }

    double mbPerSecond(Duration d) {
      return sourceBytes / 1e6 / seconds(d);
    }

    /** Rows per client CPU-second: the rate of one uncontended core. */
    double rowsPerCpuSecond(Timing t) {
      return rows / seconds(t.clientCpu());
    }

    /** Source MB per client CPU-second. */
    double mbPerCpuSecond(Timing t) {
      return sourceBytes / 1e6 / seconds(t.clientCpu());
    }

    double ratio() {
      return single.best().toNanos() / (double) Math.max(1, baseline.toNanos());
    }

    /** Core-seconds to extract 1 TB of this source's bytes at the single-thread client CPU rate. */
    double coreSecondsPerTb() {
      return TB / (mbPerCpuSecond(single) * 1e6);
    }

    /** Source bytes one item can read in 15 minutes at that rate. */
    double maxItemBytesByTime() {
      return mbPerCpuSecond(single) * 1e6 * LAMBDA_SECONDS;
    }

    /** Source bytes whose rows fit in {@link #HEAP_FOR_ROWS}. */
    double maxItemBytesByMemory() {
      return HEAP_FOR_ROWS / heapBytesPerRow * (sourceBytes / (double) rows);
    }
  }

  private ConnectorBench() {}

  static List<Result> run(Args args, PrintStream out) {
    Path dir = RepoRoot.locate().resolve(StackOptions.DEFAULT_STATE_DIR_NAME).resolve("bench-connectors");
    Options options = options(args);
    Main.deleteRecursively(dir);
    return run(options, dir, out);
  }

  static Options options(Args args) {
    String command = "bench connectors";
    int rows = args.intValue(command, "rows", ROWS_DEFAULT);
    if (rows < ROWS_MIN) {
      throw new Args.UsageError(command + ": --rows must be at least " + ROWS_MIN + ", got " + rows);
    }
    int repeat = args.intValue(command, "repeat", REPEAT_DEFAULT);
    if (repeat < 1 || repeat > 10) {
      throw new Args.UsageError(command + ": --repeat must be between 1 and 10, got " + repeat);
    }
    List<String> only = args.options().containsKey("only")
        ? Arrays.stream(args.get("only", "").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()
        : List.of();
    List<String> known = new ArrayList<>();
    ConnectorBenchSources.CASES.forEach(c -> {
      if (!known.contains(c.kind())) {
        known.add(c.kind());
      }
    });
    ConnectorBenchSources.CASES.forEach(c -> known.add(c.id()));
    for (String o : only) {
      if (!known.contains(o)) {
        throw new Args.UsageError(command + ": --only takes a comma-separated list of " + String.join(", ", known)
            + ", got " + o);
      }
    }
    return new Options(rows, only, repeat);
  }

  static List<Result> run(Options options, Path dir, PrintStream out) {
    LocalDate dt = LocalDate.parse(Main.DEMO_DATE);
    List<Case> cases = ConnectorBenchSources.CASES.stream()
        .filter(c -> options.only().isEmpty() || options.only().contains(c.kind()) || options.only().contains(c.id()))
        .toList();
    out.printf(Locale.ROOT, "FeaturePipe connector bench: %,d rows per case (REST %,d), best of %d, %d cores, JDK %s%n",
        options.rows(), options.rows() / ConnectorBenchSources.REST_ROWS_DIVISOR, options.repeat(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    out.printf(Locale.ROOT, "  load average at start: %s%n", loadAverage());
    List<Result> results = new ArrayList<>();
    StackOptions stackOptions = StackOptions.defaults(RepoRoot.locate()).withStateDir(dir.resolve("stack")).withPorts(0, 0);
    try (EmbeddedStack embedded = EmbeddedStack.start(stackOptions);
        AwsClients clients = new AwsClients(embedded.awsSettings())) {
      ConnectorContext ctx = new ConnectorContext(clients.s3(), stackOptions.sourceBucket(), stackOptions.lakeBucket(),
          new CheckpointStore(clients.dynamoDb(), stackOptions.controlTable()),
          new LocalSecrets(Map.of(PG_SECRET, "{\"username\": \"postgres\", \"password\": \"bench\"}")));
      Stack stack = new Stack(clients, stackOptions.sourceBucket(), ctx, new LakeStore(clients.s3(), stackOptions.lakeBucket()));
      Env env = new Env(stack, dir.resolve("work"), dt, options.rows(), options.repeat());
      for (Case c : cases) {
        Prepared p = c.prepare().apply(env);
        try {
          Result r = measure(c, p, env, out);
          results.add(r);
        } finally {
          if (p.resource() != null) {
            p.resource().close();
          }
        }
      }
    } catch (Exception e) {
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("connector bench failed: " + e, e);
    }
    out.printf(Locale.ROOT, "%n  load average at end: %s%n", loadAverage());
    printTables(results, options, out);
    return results;
  }

  private static Result measure(Case c, Prepared p, Env env, PrintStream out) throws Exception {
    Stack stack = env.stack();
    out.printf(Locale.ROOT, "%n%s  %,d rows, %s of %s%s%n", c.id(), p.rows(), RunReport.mb(p.sourceBytes()), p.bytesOf(),
        p.decodedBytes() != p.sourceBytes() ? " (" + RunReport.mb(p.decodedBytes()) + " decoded)" : "");
    List<ExtractItem> items = SourceConnectors.create(p.source(), stack.ctx()).plan(env.dt());
    if (items.size() != 2) {
      throw new IllegalStateException("[BUG] " + c.id() + " planned " + items.size() + " items; the bench loads 2");
    }

    // Warm-up: one item, untimed; it also measures the heap the writer holds per row once read.
    HeapProbe[] probe = new HeapProbe[1];
    Pass warm = pass(p.source(), stack, env.dt(), items.subList(0, 1), 1, "bench-warm", conn -> {
      probe[0] = new HeapProbe(conn);
      return probe[0];
    });
    check(c, warm, -1);
    double heapPerRow = probe[0].retained() / (double) Math.max(1, warm.rows());

    List<Pass> singles = new ArrayList<>();
    List<Pass> parallels = new ArrayList<>();
    for (int i = 0; i < env.repeat(); i++) {
      singles.add(check(c, pass(p.source(), stack, env.dt(), items, 1, "bench-single-" + i, UnaryOperator.identity()),
          p.rows()));
      parallels.add(check(c, pass(p.source(), stack, env.dt(), items, 2, "bench-parallel-" + i, UnaryOperator.identity()),
          p.rows()));
    }
    Pass last = singles.get(singles.size() - 1);
    long readBack = readBack(stack, last.results(), env.work().resolve("readback-" + c.kind() + "-" + c.format()));
    if (readBack != p.rows()) {
      throw new IllegalStateException("bench check failed for " + c.id() + ": DuckDB reads " + readBack
          + " rows back from the Bronze files, generated " + p.rows());
    }
    Duration baseline = p.baseline().run(items);
    Result r = new Result(c.kind(), c.format(), p.rows(), items.size(), p.sourceBytes(), p.decodedBytes(), p.bytesOf(),
        timing(singles), timing(parallels), p.baselineLabel(), baseline, last.rows(), last.quarantined(), readBack,
        heapPerRow);

    line(out, "single", "1 thread, items in turn", r, r.single());
    line(out, "parallel", "2 threads, 1 item each", r, r.parallel());
    out.printf(Locale.ROOT, "  %-9s %-24s wall %,7d ms %11s %,9.0f rows/s %6.1f MB/s | ours/baseline (wall) %.2f: %s%n",
        "baseline", "same items, 1 thread", baseline.toMillis(), "", r.rowsPerSecond(baseline), r.mbPerSecond(baseline),
        r.ratio(), r.baselineLabel());
    out.printf(Locale.ROOT, "  %-9s Bronze %,d rows = generated, %d quarantined, DuckDB reads back %,d; heap held %,.0f B/row"
        + "%n", "check", r.bronzeRows(), r.quarantined(), readBack, heapPerRow);
    return r;
  }

  private static void line(PrintStream out, String name, String what, Result r, Timing t) {
    out.printf(Locale.ROOT, "  %-9s %-24s wall %,7d ms spread %3.0f%% %,9.0f rows/s %6.1f MB/s | CPU: extract %,6d ms, "
        + "client %,6d ms = %,9.0f rows/s %6.1f MB/s%n", name, what, t.best().toMillis(), 100 * t.spread(),
        r.rowsPerSecond(t.best()), r.mbPerSecond(t.best()), t.threadCpu().toMillis(), t.clientCpu().toMillis(),
        r.rowsPerCpuSecond(t), r.mbPerCpuSecond(t));
  }

  private static Timing timing(List<Pass> passes) {
    return new Timing(
        passes.stream().map(Pass::wall).min(Comparator.naturalOrder()).orElseThrow(),
        passes.stream().map(Pass::wall).max(Comparator.naturalOrder()).orElseThrow(),
        Duration.ofNanos(passes.stream().mapToLong(Pass::threadCpuNanos).min().orElseThrow()),
        Duration.ofNanos(passes.stream().mapToLong(Pass::clientCpuNanos).min().orElseThrow()));
  }

  // ---------------------------------------------------------------------------------------------
  // One timed pass

  private record Pass(Duration wall, List<ChunkResult> results, long threadCpuNanos, long clientCpuNanos) {
    long rows() {
      return results.stream().mapToLong(r -> r.bronze().rows()).sum();
    }

    long quarantined() {
      return results.stream().mapToLong(ChunkResult::quarantined).sum();
    }
  }

  private record Share(List<ChunkResult> results, long cpuNanos) {}

  /**
   * Extracts {@code items} on {@code threads} threads (item i on thread i mod threads), each exactly
   * as the Extract step does: a new connector from the source config, then the Bronze writer.
   */
  private static Pass pass(SourceConfig source, Stack stack, LocalDate dt, List<ExtractItem> items, int threads,
      String runId, UnaryOperator<SourceConnector> wrap) throws InterruptedException {
    List<List<ExtractItem>> shares = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      shares.add(new ArrayList<>());
    }
    for (int i = 0; i < items.size(); i++) {
      shares.get(i % threads).add(items.get(i));
    }
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "bench-extract"));
    try {
      long p0 = os.getProcessCpuTime() - serverCpuNanos(cpu);
      long t0 = System.nanoTime();
      List<Future<Share>> futures = new ArrayList<>();
      for (List<ExtractItem> share : shares) {
        futures.add(pool.submit(() -> {
          long c0 = cpu.getCurrentThreadCpuTime();
          BronzeChunkWriter writer = new BronzeChunkWriter(stack.lake());
          List<ChunkResult> done = new ArrayList<>();
          for (ExtractItem item : share) {
            SourceConnector connector = wrap.apply(SourceConnectors.create(source, stack.ctx()));
            done.add(writer.write(connector, item, runId, dt, BronzeChunkWriter.fingerprint(item, "bench", "bench")));
          }
          return new Share(done, cpu.getCurrentThreadCpuTime() - c0);
        }));
      }
      List<ChunkResult> results = new ArrayList<>();
      long cpuNanos = 0;
      for (Future<Share> f : futures) {
        Share s = f.get();
        results.addAll(s.results());
        cpuNanos += s.cpuNanos();
      }
      Duration wall = Duration.ofNanos(System.nanoTime() - t0);
      return new Pass(wall, results, cpuNanos, os.getProcessCpuTime() - serverCpuNanos(cpu) - p0);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("extract failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Threads that serve the sources in this JVM (S3Proxy's Jetty, the API server): not the client's work. */
  private static final java.util.regex.Pattern SERVER_THREADS = java.util.regex.Pattern.compile(
      "S3Proxy-Jetty-.*|bench-api|HTTP-Dispatcher");

  private static long serverCpuNanos(ThreadMXBean cpu) {
    long sum = 0;
    for (java.lang.management.ThreadInfo t : cpu.getThreadInfo(cpu.getAllThreadIds())) {
      if (t != null && SERVER_THREADS.matcher(t.getThreadName()).matches()) {
        sum += Math.max(0, cpu.getThreadCpuTime(t.getThreadId()));
      }
    }
    return sum;
  }

  /** Fails the bench unless Bronze got every generated row ({@code expected}, or any number if negative) and nothing was quarantined. */
  private static Pass check(Case c, Pass pass, long expected) {
    if ((expected >= 0 && pass.rows() != expected) || pass.quarantined() != 0) {
      TreeMap<String, Long> reasons = new TreeMap<>();
      pass.results().forEach(r -> r.rejectReasons().forEach((k, v) -> reasons.merge(k, v, Long::sum)));
      throw new IllegalStateException("bench check failed for " + c.id() + ": Bronze holds " + pass.rows()
          + " rows, generated " + (expected >= 0 ? expected : "?") + "; " + pass.quarantined()
          + " quarantined " + reasons + "; the bench does not time a broken path");
    }
    return pass;
  }

  /** The rows DuckDB counts in the pass's Bronze files: a reader independent of ours. */
  private static long readBack(Stack stack, List<ChunkResult> results, Path dir) throws IOException, SQLException {
    Files.createDirectories(dir);
    for (int i = 0; i < results.size(); i++) {
      Files.write(dir.resolve("bronze-" + i + ".parquet"), stack.lake().get(results.get(i).bronze().key()));
    }
    return DuckDbBaseline.number("SELECT count(*) FROM read_parquet('" + dir + "/*.parquet')");
  }

  /**
   * Measures the heap a connector's rows occupy once read, while the Bronze writer holds them all
   * to sort: live heap after a full GC before and after {@code read}. Used in the untimed warm-up
   * only (the GCs would distort a timed pass).
   */
  private static final class HeapProbe implements SourceConnector {
    private final SourceConnector delegate;
    private long retained;

    HeapProbe(SourceConnector delegate) {
      this.delegate = delegate;
    }

    long retained() {
      return retained;
    }

    @Override
    public void read(ExtractItem item, LocalDate dt, RowSink sink) {
      long before = liveHeap();
      delegate.read(item, dt, sink);
      retained = liveHeap() - before;
    }

    private static long liveHeap() {
      System.gc();
      System.gc();
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Override
    public List<ExtractItem> plan(LocalDate dt) {
      return delegate.plan(dt);
    }

    @Override
    public Schema bronzeSchema() {
      return delegate.bronzeSchema();
    }

    @Override
    public Comparator<Record> bronzeOrder() {
      return delegate.bronzeOrder();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  private static void printTables(List<Result> results, Options options, PrintStream out) {
    out.printf(Locale.ROOT, "%nExtract into Bronze, best of %d (+x%% = worst/best - 1). Rates count source bytes; "
        + "\"per client CPU-s\" divides by the JVM's CPU time less its embedded servers' threads:%n%n", options.repeat());
    out.println("| connector | format | rows | source MB | 1 thread: rows/s (wall) | 1 thread: rows per client CPU-s "
        + "| 1 thread: MB per client CPU-s | 2 in parallel: rows/s (wall) | 2 in parallel: rows per client CPU-s "
        + "| baseline | baseline rows/s (wall) | ours/baseline (wall) |");
    out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
    for (Result r : results) {
      out.printf(Locale.ROOT, "| %s | %s | %,d | %.1f %s | %,.0f (+%.0f%%) | %,.0f | %.1f | %,.0f (+%.0f%%) | %,.0f | %s | %,.0f "
          + "| %.1f |%n", r.kind(), r.format(), r.rows(), r.sourceBytes() / 1e6, r.bytesOf(),
          r.rowsPerSecond(r.single().best()), 100 * r.single().spread(), r.rowsPerCpuSecond(r.single()),
          r.mbPerCpuSecond(r.single()), r.rowsPerSecond(r.parallel().best()), 100 * r.parallel().spread(),
          r.rowsPerCpuSecond(r.parallel()), r.baselineLabel(), r.rowsPerSecond(r.baseline()), r.ratio());
    }
    double gb = LAMBDA_MB / 1024.0;
    out.printf(Locale.ROOT, "%n1 TB/day of source bytes per connector, at the 1-thread client CPU rate on arm64 Lambda (%,d MB = 1 vCPU, "
        + "$%.10f/GB-s); max item: 15 minutes at that rate, and rows within %s of heap at the measured bytes/row:%n%n",
        LAMBDA_MB, USD_PER_GB_SECOND, RunReport.mb(HEAP_FOR_ROWS));
    out.println("| connector | format | MB per client CPU-s | core-s/day | Lambda GB-s/day | $/day | concurrency, 2 h window "
        + "| max item by time | heap B/row | max item by memory |");
    out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      double coreSeconds = r.coreSecondsPerTb();
      out.printf(Locale.ROOT, "| %s | %s | %.1f | %,.0f | %,.0f | $%.2f | %,d | %s | %s | %s |%n", r.kind(), r.format(),
          r.mbPerCpuSecond(r.single()), coreSeconds, coreSeconds * gb, coreSeconds * gb * USD_PER_GB_SECOND,
          (long) Math.ceil(coreSeconds / WINDOW_SECONDS), size(r.maxItemBytesByTime()),
          r.heapBytesPerRow() > 0 ? String.format(Locale.ROOT, "%,.0f", r.heapBytesPerRow()) : "-",
          r.heapBytesPerRow() > 0 ? size(r.maxItemBytesByMemory()) : "-");
    }
  }

  private static String size(double bytes) {
    return bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
  }

  private static double seconds(Duration d) {
    return Math.max(1, d.toNanos()) / 1e9;
  }

  /** The 1, 5 and 15 minute load averages, as {@code uptime} prints them (Linux), or "unknown". */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
