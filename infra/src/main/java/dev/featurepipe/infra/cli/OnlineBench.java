package dev.featurepipe.infra.cli;

import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.infra.demo.FeatureShardGenerator;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.online.FeatureItems;
import dev.featurepipe.online.FeatureLoader;
import dev.featurepipe.online.FeatureStoreClient;
import dev.featurepipe.online.LoadOptions;
import dev.featurepipe.online.LoadResult;
import dev.featurepipe.online.MetaWriter;
import dev.featurepipe.online.internal.ItemSize;
import dev.featurepipe.transform.SilverSchemas;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code ./featurepipe bench online}: the online store's client side against dynalite. The loader
 * alone (no workflow): a synthetic committed Silver shard of {@code user_activity_v1} (the demo's
 * largest item: 21 named features, top-k lists, an 8-float vector) loaded by {@link FeatureLoader}
 * with 1 and 4 writer threads, timed after an untimed warm-up load; then {@link FeatureStoreClient}
 * get and batch-get (100 keys) latencies on random keys. CPU time is split between this JVM (the
 * loader, plus S3Proxy serving the shard's few file downloads) and the dynalite process, read from
 * /proc: items per loader CPU-second is the rate a 1-vCPU Lambda could sustain against a DynamoDB
 * that keeps up; the wall rate here is dynalite's (one Node.js thread) on a shared machine.
 */
final class OnlineBench {

  static final int ITEMS_DEFAULT = 100_000;
  static final int GETS_DEFAULT = 2_000;
  static final int BATCH_GETS_DEFAULT = 200;
  static final LocalDate DATE = LocalDate.parse(Main.DEMO_DATE);

  /**
   * The 1 TB/day scale's online items, an assumption stated with the numbers: 1 TB of clickstream
   * JSON at about 500 bytes an event is 2 billion events a day; with 100 million users and 10
   * million products active in the 30-day windows, each daily run rewrites 110 million items.
   */
  static final long ITEMS_PER_DAY_AT_SCALE = 110_000_000L;

  /** On-demand write request units, us-east-1, standard table class, since the November 2024 price cut. */
  static final double USD_PER_MILLION_WRU = 0.625;

  /** The window the load should take at scale: a quarter of DESIGN.md's 2-hour daily window. */
  static final int LOAD_WINDOW_SECONDS = 1_800;

  /** DynamoDB's default per-table throughput quota for on-demand tables (write request units per second). */
  static final int TABLE_WRU_QUOTA = 40_000;

  /** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every mainstream kernel build. */
  static final int CLOCK_TICKS = 100;

  private OnlineBench() {}

  static void run(Args args, PrintStream out) {
    int items = args.intValue("bench online", "items", ITEMS_DEFAULT);
    int gets = args.intValue("bench online", "gets", GETS_DEFAULT);
    int batchGets = args.intValue("bench online", "batch-gets", BATCH_GETS_DEFAULT);
    Path root = RepoRoot.locate();
    Path dir = root.resolve(".featurepipe").resolve("bench-online");
    Main.deleteRecursively(dir);
    FeatureGroupConfig group = ConfigLoader.load(root.resolve(Main.DEMO_CONFIG)).config().group("user_activity_v1")
        .orElseThrow(() -> new IllegalStateException(Main.DEMO_CONFIG + " has no user_activity_v1"));
    out.printf(Locale.ROOT, "FeaturePipe bench online: %,d %s items into dynalite, %d cores, JDK %s%n", items,
        group.versionedName(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    try (EmbeddedStack stack = EmbeddedStack.start(StackOptions.defaults(root).withStateDir(dir.resolve("stack"))
            .withPorts(0, 0));
        AwsClients clients = new AwsClients(stack.awsSettings())) {
      LakeStore lake = new LakeStore(clients.s3(), stack.options().lakeBucket());
      String table = stack.options().featureTable();
      long size = averageItemSize(group);
      out.printf(Locale.ROOT, "  item      %,d bytes on average by DynamoDB's size rule (%d write unit%s each)%n", size,
          wru(size), wru(size) == 1 ? "" : "s");
      FeatureShardGenerator.commit(lake, "bench-warmup", DATE, group, Math.min(items, 20_000), 2, 1);
      load(clients, lake, table, group, "bench-warmup", 4);
      FeatureShardGenerator.commit(lake, "bench", DATE, group, items, 4, 7);
      out.printf(Locale.ROOT, "%n  %-22s %10s %12s %14s %14s%n", "loader", "wall", "items/s", "JVM CPU s", "dynalite CPU s");
      double best = 0;
      for (int threads : new int[] {1, 4}) {
        long dynaliteBefore = cpuTicks(stack.dynamoDbProcess().pid());
        long jvmBefore = processCpuNanos();
        long start = System.nanoTime();
        LoadResult r = load(clients, lake, table, group, "bench", threads);
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        double jvm = (processCpuNanos() - jvmBefore) / 1e9;
        double node = (cpuTicks(stack.dynamoDbProcess().pid()) - dynaliteBefore) / (double) CLOCK_TICKS;
        if (r.written() != items) {
          throw new IllegalStateException("bench load wrote " + r.written() + " of " + items + " items");
        }
        out.printf(Locale.ROOT, "  %-22s %10s %,12.0f %14.1f %14.1f%n", threads + " writer thread" + (threads == 1 ? "" : "s"),
            RunReport.ms(wall), items / seconds(wall), jvm, node);
        best = Math.max(best, items / jvm);
      }
      out.printf(Locale.ROOT, "  loader client side: %,.0f items per JVM CPU-second (S3Proxy's share included: an upper"
          + " bound on the loader's own cost)%n", best);
      new MetaWriter(clients.dynamoDb(), table).write(group, DATE.toString(), "bench", items, 7,
          "featurepipe." + group.versionedName(), "UNCHECKED");
      capacity(out, size, best);
      reader(out, clients, table, group, items, gets, batchGets);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static LoadResult load(AwsClients clients, LakeStore lake, String table, FeatureGroupConfig group, String runId,
      int threads) {
    return new FeatureLoader(clients.dynamoDb(), table, clients.s3(), lake, LoadOptions.DEFAULTS.withThreads(threads))
        .load(runId, DATE, group, 0, 1, "bench", Optional.empty());
  }

  private static void capacity(PrintStream out, long itemBytes, double itemsPerCpuSecond) {
    long wruPerDay = ITEMS_PER_DAY_AT_SCALE * wru(itemBytes);
    double itemsPerSecond = ITEMS_PER_DAY_AT_SCALE / (double) LOAD_WINDOW_SECONDS;
    out.printf(Locale.ROOT, "%n  at 1 TB/day (%,d items a day, assumed: 100M users + 10M products):%n", ITEMS_PER_DAY_AT_SCALE);
    out.printf(Locale.ROOT, "    write units   %,d WRU a day -> $%,.2f a day on-demand ($%.3f per million WRU)%n", wruPerDay,
        wruPerDay / 1e6 * USD_PER_MILLION_WRU, USD_PER_MILLION_WRU);
    out.printf(Locale.ROOT, "    in %d min     %,.0f items/s = %,.0f WRU/s (default table quota %,d WRU/s: %s)%n",
        LOAD_WINDOW_SECONDS / 60, itemsPerSecond, itemsPerSecond * wru(itemBytes), TABLE_WRU_QUOTA,
        itemsPerSecond * wru(itemBytes) <= TABLE_WRU_QUOTA ? "fits" : "raise it or lengthen the window");
    out.printf(Locale.ROOT, "    loaders       %,.0f concurrent 1-vCPU LoadFeatures at %,.0f items per CPU-second%n",
        Math.ceil(itemsPerSecond / itemsPerCpuSecond), itemsPerCpuSecond);
  }

  private static void reader(PrintStream out, AwsClients clients, String table, FeatureGroupConfig group, int items,
      int gets, int batchGets) {
    FeatureStoreClient client = new FeatureStoreClient(clients.dynamoDb(), table);
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200; i++) {
      client.get(group.versionedName(), FeatureShardGenerator.entityId(group, random.nextInt(items)));
    }
    long[] get = new long[gets];
    for (int i = 0; i < gets; i++) {
      String id = FeatureShardGenerator.entityId(group, random.nextInt(items));
      long t = System.nanoTime();
      if (client.get(group.versionedName(), id).isEmpty()) {
        throw new IllegalStateException("bench get found no item for " + id);
      }
      get[i] = System.nanoTime() - t;
    }
    long[] batch = new long[batchGets];
    for (int i = 0; i < batchGets; i++) {
      List<String> ids = new ArrayList<>();
      for (int k = 0; k < 100; k++) {
        ids.add(FeatureShardGenerator.entityId(group, random.nextInt(items)));
      }
      long t = System.nanoTime();
      int found = client.batchGet(group.versionedName(), ids).size();
      batch[i] = System.nanoTime() - t;
      if (found != new java.util.TreeSet<>(ids).size()) {
        throw new IllegalStateException("bench batch-get found " + found + " of " + ids.size() + " items");
      }
    }
    out.printf(Locale.ROOT, "%n  %-26s %10s %10s  (dynalite on this machine: bounds client overhead, not DynamoDB)%n",
        "reader", "p50", "p99");
    out.printf(Locale.ROOT, "  %-26s %10s %10s%n", "get, " + gets + " calls", ms(percentile(get, 50)), ms(percentile(get, 99)));
    out.printf(Locale.ROOT, "  %-26s %10s %10s%n", "batch-get 100, " + batchGets + " calls", ms(percentile(batch, 50)),
        ms(percentile(batch, 99)));
  }

  static long averageItemSize(FeatureGroupConfig group) {
    var schema = SilverSchemas.features(group);
    long total = 0;
    for (int i = 0; i < 1000; i++) {
      total += ItemSize.of(FeatureItems.item(FeatureShardGenerator.row(schema, group,
          FeatureShardGenerator.entityId(group, i), DATE, i), group, DATE, "daily-" + DATE));
    }
    return total / 1000;
  }

  /** Write request units per item: one per started KB. */
  static long wru(long bytes) {
    return (bytes + 1023) / 1024;
  }

  static long percentile(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
  }

  private static double seconds(Duration d) {
    return Math.max(1, d.toNanos()) / 1e9;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** utime + stime of a process, fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name). */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
