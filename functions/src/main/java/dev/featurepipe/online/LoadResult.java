package dev.featurepipe.online;

/** What one LoadFeatures item wrote. */
public record LoadResult(
    String group, int shard, int shardCount, long written, long batches, long retriedItems,
    long throttledRequests, String inputFingerprint) {}
