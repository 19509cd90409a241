package dev.featurepipe.run;

/** One BuildFeatures / LoadFeatures Map item: a feature group version and one shard of it. */
public record TransformItem(String group, int shard, int shardCount) {}
