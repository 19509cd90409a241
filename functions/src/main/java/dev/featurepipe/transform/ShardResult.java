package dev.featurepipe.transform;

import java.util.List;

/** What one BuildFeatures item wrote: one file per non-empty bucket it owns, sorted by bucket. */
public record ShardResult(
    String group, int shard, int shardCount, long inputRows, long duplicates, long entities,
    List<BucketFile> files) {

  public ShardResult {
    files = List.copyOf(files);
  }
}
