package dev.featurepipe.quality;

import java.math.BigDecimal;

/**
 * The fixed histogram bins of a DistributionDrift rule. Bins depend only on the rule, never on
 * the data, so every chunk counts into the same bins, histograms merge by adding counts, and a
 * day's histogram compares with a reference written months earlier. Bin numbers are ints; a
 * histogram is a sorted map from bin to count (empty bins absent).
 *
 * <ul>
 *   <li>{@code RANGE} (numeric column with {@code range: [lo, hi]}, {@code bins: N}, default 10):
 *       bin 0 holds values below lo, bins 1..N split [lo, hi) into equal widths, bin N+1 holds
 *       values at or above hi.
 *   <li>{@code LOG} (numeric column, no range): signed quarter-octave bins, {@code sign(x) * (1 +
 *       floor(4 * log2(1 + |x|)))} and 0 for zero: any magnitude, about 19% wide each. Computed with
 *       {@link StrictMath}, whose results are the same bits on every JVM.
 *   <li>{@code HASH} (string column): 64 bins by {@link String#hashCode()} (its formula is fixed by
 *       the Java Language Specification), so a change in the mix of categories moves mass between
 *       bins; two categories sharing a bin hide shifts between just those two.
 * </ul>
 */
public record Binning(Type type, double low, double high, int bins) {

  /** How values map to bins. */
  public enum Type { RANGE, LOG, HASH }

  /** String columns: enough bins that a few dozen categories rarely share one. */
  public static final int HASH_BINS = 64;

  /** Equal-width bins when a rule gives a range but no count. */
  public static final int RANGE_BINS_DEFAULT = 10;

  private static final double LOG2 = StrictMath.log(2.0);

  public static Binning range(double low, double high, int bins) {
    return new Binning(Type.RANGE, low, high, bins);
  }

  public static Binning log() {
    return new Binning(Type.LOG, 0, 0, 0);
  }

  public static Binning hash() {
    return new Binning(Type.HASH, 0, 0, HASH_BINS);
  }

  /** The bin of a non-null value of the rule's column (a Number or a CharSequence). */
  public int bin(Object value) {
    return switch (type) {
      case HASH -> Math.floorMod(value.toString().hashCode(), HASH_BINS);
      case RANGE -> {
        double x = toDouble(value);
        if (x < low) {
          yield 0;
        }
        if (x >= high) {
          yield bins + 1;
        }
        yield 1 + Math.min(bins - 1, (int) Math.floor((x - low) / (high - low) * bins));
      }
      case LOG -> {
        double x = toDouble(value);
        if (x == 0) {
          yield 0;
        }
        int b = 1 + (int) Math.floor(4 * StrictMath.log1p(Math.abs(x)) / LOG2);
        yield x < 0 ? -b : b;
      }
    };
  }

  /** What a stored reference must have been binned with to be comparable: {@code range[0,500)x10}. */
  public String describe() {
    return switch (type) {
      case HASH -> "hash" + bins;
      case LOG -> "log2x4";
      case RANGE -> "range[" + Numbers.plain(low) + "," + Numbers.plain(high) + ")x" + bins;
    };
  }

  private static double toDouble(Object value) {
    if (value instanceof BigDecimal d) {
      return d.doubleValue();
    }
    return ((Number) value).doubleValue();
  }
}
