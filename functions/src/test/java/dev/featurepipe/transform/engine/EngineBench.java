package dev.featurepipe.transform.engine;

import dev.featurepipe.extract.ClickstreamSchema;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;

/**
 * Micro-benchmark of the engine alone, in memory: tile building and window merge for
 * user_activity (21 features, a join, a vector) over generated clickstream rows. Prints rows/s;
 * asserts nothing. Run from the repository root after test-compile:
 *
 * <pre>
 * java -Xmx6g -cp functions/target-h5/classes:functions/target-h5/test-classes:$(cat cp.txt) \
 *   dev.featurepipe.transform.engine.EngineBench [rows] [users] [days]
 * </pre>
 *
 * Generation is not timed; Parquet decoding and writing are not included (see docs/BENCHMARKS.md
 * for those stages), so these figures are an upper bound for the Transform step.
 */
public final class EngineBench {

  private EngineBench() {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int days = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    FeatureGroupSpec spec = EngineFixtures.userActivity();

    run(spec, generate(rows / 4, users, days, 1), days, "warm-up");
    List<Record> data = generate(rows, users, days, 2);
    for (int rep = 1; rep <= 2; rep++) {
      run(spec, data, days, "run " + rep);
    }
  }

  private static void run(FeatureGroupSpec spec, List<Record> data, int days, String label) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    System.gc();
    long t0 = System.nanoTime();
    long c0 = cpu.getCurrentThreadCpuTime();
    TileBuilder builder = EngineFixtures.builder(spec);
    builder.addAll(data);
    List<Record> tiles = builder.finish();
    long t1 = System.nanoTime();
    long c1 = cpu.getCurrentThreadCpuTime();
    List<Record> features = new FeatureComputer(spec).compute(EngineFixtures.AS_OF, tiles);
    long t2 = System.nanoTime();
    long c2 = cpu.getCurrentThreadCpuTime();
    // Thread CPU time as well as wall time: the machine is shared, and CPU time excludes waiting
    // for a core (it also excludes GC threads' work, which wall time on an idle machine includes).
    System.out.printf(Locale.ROOT,
        "%-8s rows=%d tiles=%d entities=%d | tiles: %.0f rows/s wall, %.0f rows/s cpu | window merge: %.0f tiles/s"
            + " wall, %.0f tiles/s cpu (%.0f input rows/s cpu) | both: %.0f rows/s wall, %.0f rows/s cpu%n",
        label, data.size(), tiles.size(), features.size(), data.size() / sec(t1 - t0), data.size() / sec(c1 - c0),
        tiles.size() / sec(t2 - t1), tiles.size() / sec(c2 - c1), data.size() / sec(c2 - c1),
        data.size() / sec(t2 - t0), data.size() / sec(c2 - c0));
  }

  private static double sec(long nanos) {
    return nanos / 1e9;
  }

  /** The demo's shape: Zipf-ish users, 5000 products, a day's events spread over {@code days} days to AS_OF. */
  static List<Record> generate(int n, int users, int days, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    String[] types = {"view", "view", "view", "view", "click", "click", "add_to_cart", "purchase"};
    String[] userIds = new String[users];
    for (int i = 0; i < users; i++) {
      userIds[i] = "user-" + i;
    }
    String[] productIds = new String[5000];
    for (int i = 0; i < productIds.length; i++) {
      productIds[i] = "p" + (i % 40);
    }
    OffsetDateTime start = EngineFixtures.AS_OF.minusDays(days - 1L).atStartOfDay().atOffset(ZoneOffset.UTC);
    List<Record> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      GenericRecord r = GenericRecord.create(ClickstreamSchema.BRONZE);
      r.set(0, "e" + i);
      r.set(1, start.plus(rnd.nextLong(days * 86_400_000_000L), ChronoUnit.MICROS));
      double u = rnd.nextDouble();
      r.set(2, userIds[(int) (u * u * users)]);
      r.set(3, productIds[rnd.nextInt(productIds.length)]);
      r.set(4, types[rnd.nextInt(types.length)]);
      r.set(5, rnd.nextInt(10) == 0 ? null : BigDecimal.valueOf(rnd.nextInt(100_000), 2));
      r.set(6, 1 + rnd.nextInt(3));
      r.set(7, "s" + rnd.nextInt(1000));
      r.set(8, (long) i + 1);
      out.add(r);
    }
    return out;
  }
}
