package dev.featurepipe.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One raw source. {@code kind} {@code s3_jsonl}: gzip JSON Lines objects under
 * {@code s3://<source bucket>/<prefix>dt=YYYY-MM-DD/}.
 */
public record SourceConfig(
    @JsonProperty(value = "id", required = true) String id,
    @JsonProperty(value = "kind", required = true) String kind,
    @JsonProperty(value = "prefix", required = true) String prefix,
    @JsonProperty(value = "schema", required = true) String schema) {}
