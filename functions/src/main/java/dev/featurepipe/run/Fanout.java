package dev.featurepipe.run;

import dev.featurepipe.config.FanoutConfig;
import dev.featurepipe.errors.InvalidInput;

/**
 * Fan-out of one run, from config defaults with per-run overrides. Output bytes never depend on
 * these numbers (tests prove it); they only trade Lambda count against wall time. {@code shards}
 * null: each group's shard count comes from its Bronze rows (see {@link #shardsFor}).
 */
public record Fanout(
    Integer chunksPerExtract,
    Integer extractConcurrency,
    Integer shards,
    Integer rowsPerShard,
    Integer transformConcurrency,
    Integer loadConcurrency) {

  public static Fanout of(FanoutConfig c) {
    return new Fanout(c.chunksPerExtract(), c.extractConcurrency(), c.shards(), c.rowsPerShard(),
        c.transformConcurrency(),
        c.loadConcurrency());
  }

  /** This fan-out with every non-null field of {@code override} taking precedence. */
  public Fanout overriddenBy(Fanout override) {
    if (override == null) {
      return this;
    }
    Fanout f = new Fanout(
        pick(override.chunksPerExtract, chunksPerExtract),
        pick(override.extractConcurrency, extractConcurrency),
        pick(override.shards, shards),
        pick(override.rowsPerShard, rowsPerShard),
        pick(override.transformConcurrency, transformConcurrency),
        pick(override.loadConcurrency, loadConcurrency));
    f.check();
    return f;
  }

  void check() {
    range("fanout.chunksPerExtract", chunksPerExtract, 1000);
    range("fanout.extractConcurrency", extractConcurrency, 10000);
    if (shards != null) {
      range("fanout.shards", shards, 4096);
    }
    range("fanout.rowsPerShard", rowsPerShard, 1_000_000_000);
    range("fanout.transformConcurrency", transformConcurrency, 10000);
    range("fanout.loadConcurrency", loadConcurrency, 10000);
  }

  private static void range(String field, Integer value, int max) {
    if (value == null || value < 1 || value > max) {
      throw new InvalidInput(field + ": must be between 1 and " + max + ", got " + value);
    }
  }

  private static Integer pick(Integer override, Integer base) {
    return override != null ? override : base;
  }

  /**
   * A group's Transform shard count: the fixed {@code shards} if set, else one per {@code
   * rowsPerShard} of its source's sealed Bronze rows, at most one per Silver bucket (a shard owns
   * whole buckets, so more would idle).
   */
  public int shardsFor(long sourceRows, int buckets) {
    if (shards != null) {
      return shards;
    }
    long wanted = Math.max(1, (sourceRows + rowsPerShard - 1) / rowsPerShard);
    return (int) Math.min(wanted, buckets);
  }
}
