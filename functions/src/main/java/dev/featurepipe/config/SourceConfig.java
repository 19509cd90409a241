package dev.featurepipe.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One raw source. {@code kind} picks the connector; {@code options} is that connector's own
 * settings, which it reads strictly into its own record. {@code s3_jsonl} (the clickstream) uses
 * {@code prefix} and {@code schema}: gzip JSON Lines objects under {@code s3://<source
 * bucket>/<prefix>dt=YYYY-MM-DD/}.
 */
public record SourceConfig(
    @JsonProperty(value = "id", required = true) String id,
    @JsonProperty(value = "kind", required = true) String kind,
    @JsonProperty("prefix") String prefix,
    @JsonProperty("schema") String schema,
    @JsonProperty("options") JsonNode options) {}
