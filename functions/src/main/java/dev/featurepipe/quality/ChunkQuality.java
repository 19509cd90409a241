package dev.featurepipe.quality;

import dev.featurepipe.lake.FileEntry;
import java.math.BigDecimal;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one Extract chunk measured for its source's quality rules, in the chunk's result: enough for
 * SealBronze to evaluate every aggregate rule on the whole partition without reading a row again.
 * Every field merges exactly across chunks (sums, min/max, histogram counts, sorted key hashes), so
 * the verdict never depends on how the day was split into chunks.
 *
 * @param checkedRows rows that reached the rules (Bronze rows plus rows the rules quarantined)
 * @param failedRows of those, rows that violated any row-level rule, whatever its action
 * @param rules one entry per rule, in the rules' order
 */
public record ChunkQuality(long checkedRows, long failedRows, List<RuleStats> rules) {

  public ChunkQuality {
    rules = List.copyOf(rules);
  }

  /**
   * One rule's numbers for the chunk; fields the rule's kind does not use are null or 0.
   *
   * @param checked rows the rule looked at
   * @param violations row-level rules: rows that broke it (quarantined ones included)
   * @param nulls null values of the rule's column among the rows it looked at
   * @param min smallest non-null value of a numeric column (ColumnValues between)
   * @param max largest non-null value of a numeric column (ColumnValues between)
   * @param newestMicros Freshness: the newest value, microseconds since the epoch (UTC)
   * @param histogram DistributionDrift: non-null values counted by {@link Binning} bin
   * @param keyHashes IsUnique: the chunk's sorted 64-bit hashes of non-null values (a side file in runs/)
   * @param keys IsUnique: how many hashes that file holds
   */
  public record RuleStats(
      int index,
      long checked,
      long violations,
      long nulls,
      BigDecimal min,
      BigDecimal max,
      Long newestMicros,
      SortedMap<Integer, Long> histogram,
      FileEntry keyHashes,
      long keys) {

    public RuleStats {
      histogram = histogram == null ? null : new TreeMap<>(histogram);
    }
  }
}
