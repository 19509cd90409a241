package dev.featurepipe.quality;

import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Population Stability Index between two histograms over the same {@link Binning}: the sum over
 * bins of {@code (a - e) * ln(a / e)}, a and e each bin's share of the actual and expected
 * (reference) values. A bin empty on one side would make the log infinite, so shares are floored
 * at {@link #MIN_SHARE}, the usual practice. Bins are visited in ascending order and logs come
 * from {@link StrictMath}, so the same histograms give the same bits everywhere.
 */
public final class Psi {

  /** Floor of a bin's share: one value in ten thousand. */
  public static final double MIN_SHARE = 1e-4;

  private Psi() {}

  /** NaN when either side holds no values. */
  public static double of(SortedMap<Integer, Long> expected, SortedMap<Integer, Long> actual) {
    long e = total(expected);
    long a = total(actual);
    if (e == 0 || a == 0) {
      return Double.NaN;
    }
    TreeSet<Integer> bins = new TreeSet<>(expected.keySet());
    bins.addAll(actual.keySet());
    double psi = 0;
    for (int bin : bins) {
      double pe = Math.max(MIN_SHARE, expected.getOrDefault(bin, 0L) / (double) e);
      double pa = Math.max(MIN_SHARE, actual.getOrDefault(bin, 0L) / (double) a);
      psi += (pa - pe) * StrictMath.log(pa / pe);
    }
    return psi;
  }

  static long total(SortedMap<Integer, Long> histogram) {
    long sum = 0;
    for (long c : histogram.values()) {
      sum += c;
    }
    return sum;
  }
}
