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

  /**
   * What DistributionDrift rule {@code r} of {@code ownerId} compares this day with: the reference
   * stored at {@code key} (one written with other bins cannot compare and is ignored) goes into
   * {@code references} under the rule's index; without one, a day with values adds its own
   * distribution to {@code pending}, to be stored once the day is accepted.
   */
  static void resolve(dev.featurepipe.lake.LakeStore lake, String key, String ownerId, SourceRule r,
      SortedMap<Integer, Long> histogram, java.time.LocalDate dt, String runId,
      java.util.Map<Integer, DistributionReference> references, java.util.List<DistributionReference> pending) {
    var stored = lake.find(key).map(b -> dev.featurepipe.ops.Json.read(b, DistributionReference.class))
        .filter(ref -> ref.binning().equals(r.binning().describe()));
    stored.ifPresent(ref -> references.put(r.index(), ref));
    if (stored.isEmpty() && Psi.total(histogram) > 0) {
      pending.add(new DistributionReference(ownerId, r.column(), r.binning().describe(), dt.toString(), runId,
          Psi.total(histogram), histogram));
    }
  }
}
