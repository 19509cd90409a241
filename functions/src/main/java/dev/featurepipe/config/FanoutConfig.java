package dev.featurepipe.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How much work each Map item takes and how many run at once. None of these may change an output
 * byte; they only trade Lambda count against wall time.
 *
 * <p>{@code shards} fixes every group's Transform shard count; left out (the default), SealBronze
 * picks each group's count from its sealed Bronze rows, {@code rows_per_shard} rows per shard, so a
 * shard's heap stays bounded whatever the day's volume.
 */
public record FanoutConfig(
    @JsonProperty(value = "chunks_per_extract", required = true) int chunksPerExtract,
    @JsonProperty(value = "extract_concurrency", required = true) int extractConcurrency,
    @JsonProperty("shards") Integer shards,
    @JsonProperty("rows_per_shard") Integer rowsPerShard,
    @JsonProperty(value = "transform_concurrency", required = true) int transformConcurrency,
    @JsonProperty(value = "load_concurrency", required = true) int loadConcurrency) {

  /**
   * One shard per million source rows: a shard holds its rows (about 500 B each as engine records)
   * until its tiles are built, so 1M rows is about 0.5 GB of a 3,538 MB BuildFeatures' heap.
   */
  public static final int DEFAULT_ROWS_PER_SHARD = 1_000_000;

  public FanoutConfig {
    if (rowsPerShard == null) {
      rowsPerShard = DEFAULT_ROWS_PER_SHARD;
    }
  }
}
