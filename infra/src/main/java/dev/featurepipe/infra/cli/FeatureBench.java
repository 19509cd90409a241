package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.infra.cli.FeatureBenchData.Dataset;
import dev.featurepipe.infra.cli.FeatureBenchSql.Group;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.transform.engine.FeatureComputer;
import dev.featurepipe.transform.engine.FeatureGroupSpec;
import dev.featurepipe.transform.engine.TileBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * {@code ./featurepipe bench features}: the feature engine on the demo clickstream, per stage and
 * per core, beside DuckDB ({@code SET threads = 1}) computing the same features from the same
 * Bronze Parquet in the same run. {@code --events N} (default 10 million) events over 30 days
 * ({@link FeatureBenchData}); two groups like the demo's, {@code product_stats} and {@code
 * user_activity} (a join, distinct counts, top-k, a ratio, a vector), windows 1d, 7d and 30d as of
 * the last day. Ours, on this one thread: read each day's Parquet, build that day's tiles
 * ({@link TileBuilder}), then merge the 30 days of tiles into features ({@link FeatureComputer}).
 * DuckDB: the same two stages in SQL (per-(entity, day) tiles, then windows) and the direct form
 * (one aggregation over the 30 days). Every pass is checked against DuckDB's direct result (same
 * entities, every value exact) before its time counts.
 */
final class FeatureBench {

  static final int EVENTS_DEFAULT = 10_000_000;

  static final int EVENTS_MIN = 1_000;

  static final int REPEAT_DEFAULT = 3;

  static final List<String> WINDOWS = List.of("1d", "7d", "30d");

  static final List<String> CATEGORIES =
      List.of("electronics", "home", "kitchen", "books", "toys", "sports", "beauty", "garden");

  static final String PRODUCT_STATS = """
      name: product_stats
      version: 1
      entity: product_id
      source: clickstream
      event_time: event_time
      dedupe_by: event_id
      windows: [1d, 7d, 30d]
      features:
        - {name: views, agg: count, where: {column: event_type, in: [view]}}
        - {name: clicks, agg: count, where: {column: event_type, in: [click]}}
        - {name: add_to_carts, agg: count, where: {column: event_type, in: [add_to_cart]}}
        - {name: purchases, agg: count, where: {column: event_type, in: [purchase]}}
        - {name: distinct_users, agg: count_distinct, column: user_id}
        - {name: revenue, agg: sum, column: price, times: quantity, where: {column: event_type, in: [purchase]}}
      """;

  static final String USER_ACTIVITY = """
      name: user_activity
      version: 1
      entity: user_id
      source: clickstream
      event_time: event_time
      dedupe_by: event_id
      joins:
        - {source: products, key: product_id, columns: [category]}
      windows: [1d, 7d, 30d]
      features:
        - {name: events, agg: count}
        - {name: views, agg: count, where: {column: event_type, in: [view]}}
        - {name: clicks, agg: count, where: {column: event_type, in: [click]}}
        - {name: add_to_carts, agg: count, where: {column: event_type, in: [add_to_cart]}}
        - {name: purchases, agg: count, where: {column: event_type, in: [purchase]}}
        - {name: revenue, agg: sum, column: price, times: quantity, where: {column: event_type, in: [purchase]}}
        - {name: distinct_products, agg: count_distinct, column: product_id}
        - {name: top_categories, agg: top_k, column: category, k: 3}
        - {name: ctr, ratio: [clicks, views], on_zero: null}
      vector: {name: category_profile, column: category, normalize: l1, window: 30d,
               vocabulary: [electronics, home, kitchen, books, toys, sports, beauty, garden]}
      """;

  static final Group PRODUCT_SQL = new Group("product_stats", "product_id", false, List.of(
      FeatureBenchSql.count("views", "event_type = 'view'"), FeatureBenchSql.count("clicks", "event_type = 'click'"),
      FeatureBenchSql.count("add_to_carts", "event_type = 'add_to_cart'"),
      FeatureBenchSql.count("purchases", "event_type = 'purchase'"),
      FeatureBenchSql.distinct("distinct_users", "user_id"), FeatureBenchSql.revenue("revenue")), List.of());

  static final Group USER_SQL = new Group("user_activity", "user_id", true, List.of(
      FeatureBenchSql.count("events", null), FeatureBenchSql.count("views", "event_type = 'view'"),
      FeatureBenchSql.count("clicks", "event_type = 'click'"),
      FeatureBenchSql.count("add_to_carts", "event_type = 'add_to_cart'"),
      FeatureBenchSql.count("purchases", "event_type = 'purchase'"), FeatureBenchSql.revenue("revenue"),
      FeatureBenchSql.distinct("distinct_products", "product_id"), FeatureBenchSql.topCategories("top_categories", 3),
      FeatureBenchSql.ratio("ctr", "clicks", "views")), CATEGORIES);

  record Options(int events, int repeat) {}

  /** Best and worst wall time over the repeats, and the least thread CPU time (ours only). */
  record Timing(long bestNanos, long worstNanos, long cpuNanos) {
    double spread() {
      return (worstNanos - bestNanos) / (double) bestNanos;
    }

    static Timing of(List<long[]> wallAndCpu) {
      long best = Long.MAX_VALUE;
      long worst = 0;
      long cpu = Long.MAX_VALUE;
      for (long[] t : wallAndCpu) {
        best = Math.min(best, t[0]);
        worst = Math.max(worst, t[0]);
        cpu = Math.min(cpu, t[1]);
      }
      return new Timing(best, worst, cpu);
    }
  }

  /** One group's figures: ours per stage, DuckDB per stage, and the check. */
  record GroupResult(String group, long entities, long tiles, Timing read, Timing build, Timing merge, Timing endToEnd,
      Timing duckTiles, Timing duckWindows, Timing duckDirect, long duckTileRows, long checkedEntities,
      long checkedValues) {}

  record Result(long rows, long bronzeBytes, List<GroupResult> groups) {}

  private FeatureBench() {}

  static Result run(Args args, PrintStream out) {
    Path dir = RepoRoot.locate().resolve(StackOptions.DEFAULT_STATE_DIR_NAME).resolve("bench-features");
    return run(options(args), dir, out);
  }

  static Options options(Args args) {
    String command = "bench features";
    int events = args.intValue(command, "events", EVENTS_DEFAULT);
    if (events < EVENTS_MIN) {
      throw new Args.UsageError(command + ": --events must be at least " + EVENTS_MIN + ", got " + events);
    }
    int repeat = args.intValue(command, "repeat", REPEAT_DEFAULT);
    if (repeat < 1 || repeat > 10) {
      throw new Args.UsageError(command + ": --repeat must be between 1 and 10, got " + repeat);
    }
    return new Options(events, repeat);
  }

  static FeatureGroupSpec spec(String yaml) {
    try {
      return FeatureGroupSpec.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml), ClickstreamSchema.BRONZE,
          Map.of("products", FeatureBenchData.PRODUCTS), 90);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Result run(Options options, Path dir, PrintStream out) {
    LocalDate asOf = LocalDate.parse(Main.DEMO_DATE);
    out.printf(Locale.ROOT, "FeaturePipe feature bench: %,d events over %d days to %s, best of %d, %d cores, JDK %s%n",
        options.events(), FeatureBenchData.DAYS, asOf, options.repeat(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    out.printf(Locale.ROOT, "  load average at start: %s%n", ConnectorBench.loadAverage());
    long g0 = System.nanoTime();
    Dataset data = FeatureBenchData.prepare(dir.resolve("data"), options.events(), asOf);
    out.printf(Locale.ROOT, "  input     %,d Bronze rows, %s of Parquet in %d days, ready in %.1f s (reused when the"
        + " size matches)%n", data.rows(), RunReport.mb(data.bronzeBytes()), data.days().size(),
        (System.nanoTime() - g0) / 1e9);
    List<FeatureGroupSpec> specs = List.of(spec(PRODUCT_STATS), spec(USER_ACTIVITY));
    List<Group> sql = List.of(PRODUCT_SQL, USER_SQL);
    List<Record> products = FeatureBenchData.read(List.of(data.products()), FeatureBenchData.PRODUCTS);

    // DuckDB first: its direct result is the expectation every pass of ours is checked against.
    List<Map<String, String>> expected = new ArrayList<>();
    List<Timing[]> duck = new ArrayList<>();
    List<Long> duckTileRows = new ArrayList<>();
    String glob = data.bronzeDir() + "/*/*.parquet";
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement s = db.createStatement()) {
        s.execute("SET threads = 1");
      }
      for (int g = 0; g < specs.size(); g++) {
        Group q = sql.get(g);
        List<long[]> tiles = new ArrayList<>();
        List<long[]> windows = new ArrayList<>();
        List<long[]> direct = new ArrayList<>();
        for (int i = 0; i < options.repeat(); i++) {
          tiles.add(timed(db, "CREATE OR REPLACE TEMP TABLE duck_tiles AS "
              + FeatureBenchSql.tiles(q, glob, data.products().toString(), asOf)));
          windows.add(timed(db, "CREATE OR REPLACE TEMP TABLE duck_windows AS "
              + FeatureBenchSql.windows(q, WINDOWS, "duck_tiles", asOf)));
          direct.add(timed(db, "CREATE OR REPLACE TEMP TABLE duck_direct AS "
              + FeatureBenchSql.direct(q, WINDOWS, glob, data.products().toString(), asOf)));
        }
        duck.add(new Timing[] {Timing.of(tiles), Timing.of(windows), Timing.of(direct)});
        duckTileRows.add(count(db, "duck_tiles"));
        expected.add(expectation(db, specs.get(g)));
        out.printf(Locale.ROOT, "  DuckDB %s: tiles %,d ms, windows %,d ms, direct %,d ms (best)%n", q.name(),
            duck.get(g)[0].bestNanos() / 1_000_000, duck.get(g)[1].bestNanos() / 1_000_000,
            duck.get(g)[2].bestNanos() / 1_000_000);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB side of the feature bench failed: " + e.getMessage(), e);
    }

    // Warm-up, untimed: the last day alone, so the JIT has compiled the hot paths before any timing.
    ours(specs, products, new Dataset(asOf, 0, data.days().subList(FeatureBenchData.DAYS - 1, FeatureBenchData.DAYS),
        data.bronzeDir(), data.products(), 0), asOf);
    List<Pass> passes = new ArrayList<>();
    for (int i = 0; i < options.repeat(); i++) {
      Pass p = ours(specs, products, data, asOf);
      for (int g = 0; g < specs.size(); g++) {
        check(specs.get(g), p.features.get(g), expected.get(g));
      }
      p.features.clear();
      passes.add(p);
      out.printf(Locale.ROOT, "  ours %d/%d: read %,d ms | %s (checked)%n", i + 1, options.repeat(),
          p.read[0] / 1_000_000, String.join(" | ", specs.stream().map(s -> {
            int g = specs.indexOf(s);
            return String.format(Locale.ROOT, "%s tiles %,d ms, windows %,d ms", s.name(), p.build[g][0] / 1_000_000,
                p.merge[g][0] / 1_000_000);
          }).toList()));
    }

    List<GroupResult> results = new ArrayList<>();
    for (int g = 0; g < specs.size(); g++) {
      int gi = g;
      Timing read = Timing.of(passes.stream().map(p -> p.read).toList());
      Timing build = Timing.of(passes.stream().map(p -> p.build[gi]).toList());
      Timing merge = Timing.of(passes.stream().map(p -> p.merge[gi]).toList());
      Timing e2e = Timing.of(passes.stream().map(p -> new long[] {p.read[0] + p.build[gi][0] + p.merge[gi][0],
          p.read[1] + p.build[gi][1] + p.merge[gi][1]}).toList());
      Pass last = passes.get(passes.size() - 1);
      results.add(new GroupResult(specs.get(g).name(), last.entities[g], last.tiles[g], read, build, merge, e2e,
          duck.get(g)[0], duck.get(g)[1], duck.get(g)[2], duckTileRows.get(g), expected.get(g).size(),
          (long) expected.get(g).size() * (FeatureComputer.schema(specs.get(g)).columns().size() - 1)));
    }
    out.printf(Locale.ROOT, "  load average at end: %s%n", ConnectorBench.loadAverage());
    print(new Result(data.rows(), data.bronzeBytes(), results), options, out);
    return new Result(data.rows(), data.bronzeBytes(), results);
  }

  /** One pass of ours: {@code [wall, cpu]} nanos per stage, per group; the features of the last pass. */
  private static final class Pass {
    final long[] read = new long[2];
    final long[][] build;
    final long[][] merge;
    final long[] tiles;
    final long[] entities;
    final List<List<Record>> features = new ArrayList<>();

    Pass(int groups) {
      build = new long[groups][2];
      merge = new long[groups][2];
      tiles = new long[groups];
      entities = new long[groups];
    }
  }

  private static Pass ours(List<FeatureGroupSpec> specs, List<Record> products, Dataset data, LocalDate asOf) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Map<String, List<Record>> dims = Map.of("products", products);
    Map<String, Schema> dimSchemas = Map.of("products", FeatureBenchData.PRODUCTS);
    Pass p = new Pass(specs.size());
    List<List<Record>> tiles = new ArrayList<>();
    specs.forEach(s -> tiles.add(new ArrayList<>()));
    System.gc();
    for (List<Path> day : data.days()) {
      long[] t = start(cpu);
      List<Record> rows = FeatureBenchData.read(day, ClickstreamSchema.BRONZE);
      stop(cpu, t, p.read);
      for (int g = 0; g < specs.size(); g++) {
        t = start(cpu);
        TileBuilder b = new TileBuilder(specs.get(g), ClickstreamSchema.BRONZE, dims, dimSchemas);
        b.addAll(rows);
        tiles.get(g).addAll(b.finish());
        stop(cpu, t, p.build[g]);
      }
    }
    for (int g = 0; g < specs.size(); g++) {
      long[] t = start(cpu);
      p.features.add(new FeatureComputer(specs.get(g)).compute(asOf, tiles.get(g)));
      stop(cpu, t, p.merge[g]);
      p.tiles[g] = tiles.get(g).size();
      p.entities[g] = p.features.get(g).size();
    }
    return p;
  }

  private static long[] start(ThreadMXBean cpu) {
    return new long[] {System.nanoTime(), cpu.getCurrentThreadCpuTime()};
  }

  private static void stop(ThreadMXBean cpu, long[] started, long[] into) {
    into[0] += System.nanoTime() - started[0];
    into[1] += cpu.getCurrentThreadCpuTime() - started[1];
  }

  private static long[] timed(Connection db, String sql) throws SQLException {
    try (Statement s = db.createStatement()) {
      long t0 = System.nanoTime();
      s.execute(sql);
      return new long[] {System.nanoTime() - t0, 0};
    }
  }

  private static long count(Connection db, String table) throws SQLException {
    try (Statement s = db.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** DuckDB's direct result, one canonical line per entity, after checking it equals its tiles-then-windows result. */
  private static Map<String, String> expectation(Connection db, FeatureGroupSpec spec) throws SQLException {
    List<String> columns = columns(spec);
    Map<String, String> direct = FeatureBenchSql.rows(db, "duck_direct", columns);
    Map<String, String> twoStage = FeatureBenchSql.rows(db, "duck_windows", columns);
    if (!direct.equals(twoStage)) {
      throw new IllegalStateException("[BUG] bench check failed for " + spec.name() + ": DuckDB's two formulations"
          + " differ:\n  " + FeatureBenchSql.describe(direct, twoStage));
    }
    return direct;
  }

  private static List<String> columns(FeatureGroupSpec spec) {
    return FeatureComputer.schema(spec).columns().stream().map(Types.NestedField::name).toList();
  }

  /** Ours against DuckDB's: the same entities, and per entity the same line of exact values. */
  private static void check(FeatureGroupSpec spec, List<Record> features, Map<String, String> expected) {
    List<String> columns = columns(spec);
    Map<String, String> ours = new HashMap<>();
    for (Record r : features) {
      ours.put((String) r.get(0), FeatureBenchSql.line(r, columns));
    }
    if (ours.size() != features.size() || !ours.equals(expected)) {
      throw new IllegalStateException("bench check failed for " + spec.name() + ": ours has " + ours.size()
          + " entities, DuckDB " + expected.size() + "; first differences:\n  "
          + FeatureBenchSql.describe(ours, expected) + "\nthe bench does not time a broken path");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  private static void print(Result r, Options options, PrintStream out) {
    out.printf(Locale.ROOT, "%nFeature engine, %,d Bronze rows (%s Parquet), 30 days, windows 1d/7d/30d as of the"
        + " last day; best of %d (+x%% = worst/best - 1). Rows/s count Bronze rows in; ours per wall second and per"
        + " thread CPU-second, DuckDB per wall second with threads=1:%n%n", r.rows(), RunReport.mb(r.bronzeBytes()),
        options.repeat());
    out.println("| group | stage | ours wall | ours rows/s (wall) | ours rows per CPU-s | DuckDB stage | DuckDB wall "
        + "| DuckDB rows/s | ours/DuckDB (wall) |");
    out.println("|---|---|---:|---:|---:|---|---:|---:|---:|");
    for (GroupResult g : r.groups()) {
      row(out, r, g.group(), "read Bronze Parquet", g.read(), null, "");
      row(out, r, g.group(), "tiles (read + TileBuilder)", sum(g.read(), g.build()), g.duckTiles(),
          "per-(entity, day) tiles");
      row(out, r, g.group(), "TileBuilder alone", g.build(), null, "");
      row(out, r, g.group(), "window merge", g.merge(), g.duckWindows(), "windows from its tiles");
      row(out, r, g.group(), "end to end", g.endToEnd(), g.duckDirect(), "direct, one aggregation");
      out.printf(Locale.ROOT, "|  | (window merge: %,d tiles, %,.0f tiles per CPU-s; DuckDB %,d tile rows) |  |  |  |  "
          + "|  |  |  |%n", g.tiles(), g.tiles() / sec(g.merge().cpuNanos()), g.duckTileRows());
    }
    for (GroupResult g : r.groups()) {
      out.printf(Locale.ROOT, "  check %-14s %,d entities x every feature (%,d values) equal DuckDB's, both"
          + " formulations, every pass%n", g.group(), g.checkedEntities(), g.checkedValues());
    }
  }

  private static Timing sum(Timing a, Timing b) {
    return new Timing(a.bestNanos() + b.bestNanos(), a.worstNanos() + b.worstNanos(), a.cpuNanos() + b.cpuNanos());
  }

  private static void row(PrintStream out, Result r, String group, String stage, Timing ours, Timing duck,
      String duckStage) {
    out.printf(Locale.ROOT, "| %s | %s | %,d ms (+%.0f%%) | %,.0f | %,.0f | %s | %s | %s | %s |%n", group, stage,
        ours.bestNanos() / 1_000_000, 100 * ours.spread(), r.rows() / sec(ours.bestNanos()),
        r.rows() / sec(ours.cpuNanos()), duckStage,
        duck == null ? "" : String.format(Locale.ROOT, "%,d ms (+%.0f%%)", duck.bestNanos() / 1_000_000,
            100 * duck.spread()),
        duck == null ? "" : String.format(Locale.ROOT, "%,.0f", r.rows() / sec(duck.bestNanos())),
        duck == null ? "" : String.format(Locale.ROOT, "%.2f", ours.bestNanos() / (double) duck.bestNanos()));
  }

  private static double sec(long nanos) {
    return Math.max(1, nanos) / 1e9;
  }
}
