package dev.featurepipe.transform;

import java.util.List;

/**
 * What one BuildFeatures item wrote: for each non-empty bucket it owns, the date's tile file and the
 * feature file, each list sorted by bucket. {@code inputRows} are the source rows routed to the
 * shard; {@code duplicates} and {@code skipped} (no entity, event time or dedupe key) of those were
 * dropped. {@code priorTiles}: the stored tile files of earlier days it merged. {@code
 * inputFingerprint}: the Bronze manifests, config, code and those tile files it was built from.
 */
public record ShardResult(
    String group, int shard, int shardCount, long inputRows, long duplicates, long skipped, long tiles,
    long entities, List<BucketFile> tileFiles, List<BucketFile> featureFiles, List<String> priorTiles,
    String inputFingerprint, dev.featurepipe.quality.ChunkQuality quality) {

  public ShardResult {
    tileFiles = List.copyOf(tileFiles);
    featureFiles = List.copyOf(featureFiles);
    priorTiles = List.copyOf(priorTiles);
  }
}
