package dev.featurepipe.online;

/**
 * What one LoadFeatures item did. {@code written} items landed; {@code skipped} were not written
 * because the table already holds a newer {@code as_of} for the key (a backfill of an older date);
 * {@code written + skipped} is the shard's row count. {@code batches}: BatchWriteItem batches of up
 * to 25 items formed; {@code retriedItems}: items DynamoDB returned as {@code UnprocessedItems} and
 * that were sent again; {@code throttledRequests}: requests refused with a throttling or server
 * error and sent again. {@code guarded}: the load ran with per-item {@code as_of} conditions
 * because a newer date had been loaded (see {@link FeatureLoader}).
 */
public record LoadResult(
    String group, int shard, int shardCount, long written, long skipped, long batches, long retriedItems,
    long throttledRequests, boolean guarded, String inputFingerprint) {}
