package dev.featurepipe.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A feature group at one immutable version; its Silver table is {@code <name>_v<version>}. */
public record FeatureGroupConfig(
    @JsonProperty(value = "name", required = true) String name,
    @JsonProperty(value = "version", required = true) int version,
    @JsonProperty(value = "entity", required = true) String entity,
    @JsonProperty(value = "source", required = true) String source,
    @JsonProperty(value = "buckets", required = true) int buckets,
    @JsonProperty(value = "features", required = true) List<String> features,
    @JsonProperty(value = "online_ttl_days", required = true) int onlineTtlDays) {

  public FeatureGroupConfig {
    features = List.copyOf(features);
  }

  /** {@code product_stats_v1}: Silver table name, DynamoDB sort key, run-file folder. */
  public String versionedName() {
    return name + "_v" + version;
  }
}
