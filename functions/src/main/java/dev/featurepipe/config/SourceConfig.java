package dev.featurepipe.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One raw source. {@code kind} picks the connector; {@code options} is that connector's own
 * settings, which it reads strictly into its own record. {@code s3_jsonl} (the clickstream) uses
 * {@code prefix} and {@code schema}: gzip JSON Lines objects under {@code s3://<source
 * bucket>/<prefix>dt=YYYY-MM-DD/}. {@code quality} holds the source's Bronze quality rules as
 * written ({@code dev.featurepipe.quality.SourceRules} parses and validates them at load).
 */
public record SourceConfig(
    String id, String kind, String prefix, String schema, JsonNode options, List<JsonNode> quality) {

  @JsonCreator
  public SourceConfig(
      @JsonProperty(value = "id", required = true) String id,
      @JsonProperty(value = "kind", required = true) String kind,
      @JsonProperty("prefix") String prefix,
      @JsonProperty("schema") String schema,
      @JsonProperty("options") JsonNode options,
      @JsonProperty("quality") List<JsonNode> quality) {
    this.id = id;
    this.kind = kind;
    this.prefix = prefix;
    this.schema = schema;
    this.options = options;
    this.quality = quality == null ? List.of() : List.copyOf(quality);
  }

  /** A source without quality rules. */
  public SourceConfig(String id, String kind, String prefix, String schema, JsonNode options) {
    this(id, kind, prefix, schema, options, List.of());
  }

  /** The same source with other options (a bound schema's columns), its rules kept. */
  public SourceConfig withOptions(JsonNode newOptions) {
    return new SourceConfig(id, kind, prefix, schema, newOptions, quality);
  }
}
