package dev.featurepipe.quality;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The accepted distribution a DistributionDrift rule compares each day with: the column's
 * histogram on the first day whose run passed the gate with the rule in place, stored in the lake
 * at {@code quality/reference/source_id=<id>/<column>.json}. It is kept until someone deletes it
 * (to re-baseline on the next accepted day) or the rule's bins change.
 *
 * @param binning {@link Binning#describe()} of the rule that wrote it; another binning cannot compare
 */
public record DistributionReference(
    String sourceId, String column, String binning, String dt, String runId, long values,
    SortedMap<Integer, Long> histogram) {

  public DistributionReference {
    histogram = new TreeMap<>(histogram);
  }
}
