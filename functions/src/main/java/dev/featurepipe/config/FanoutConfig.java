package dev.featurepipe.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How much work each Map item takes and how many run at once. None of these may change an output
 * byte; they only trade Lambda count against wall time.
 */
public record FanoutConfig(
    @JsonProperty(value = "chunks_per_extract", required = true) int chunksPerExtract,
    @JsonProperty(value = "extract_concurrency", required = true) int extractConcurrency,
    @JsonProperty(value = "shards", required = true) int shards,
    @JsonProperty(value = "transform_concurrency", required = true) int transformConcurrency,
    @JsonProperty(value = "load_concurrency", required = true) int loadConcurrency) {}
