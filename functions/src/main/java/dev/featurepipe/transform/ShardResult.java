package dev.featurepipe.transform;

import java.util.List;

/**
 * What one BuildFeatures item wrote: one file per non-empty bucket it owns, sorted by bucket. {@code
 * inputFingerprint}: the group's inputs (Bronze manifest, config, code) it was built from.
 */
public record ShardResult(
    String group, int shard, int shardCount, long inputRows, long duplicates, long entities,
    List<BucketFile> files, String inputFingerprint) {

  public ShardResult {
    files = List.copyOf(files);
  }
}
