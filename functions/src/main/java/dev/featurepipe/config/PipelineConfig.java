package dev.featurepipe.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/** {@code config/pipeline.yaml}, as read and validated by {@link ConfigLoader}. */
public record PipelineConfig(
    @JsonProperty(value = "version", required = true) int version,
    @JsonProperty(value = "sources", required = true) List<SourceConfig> sources,
    @JsonProperty(value = "feature_groups", required = true) List<FeatureGroupConfig> featureGroups,
    @JsonProperty(value = "fanout", required = true) FanoutConfig fanout) {

  public PipelineConfig {
    sources = List.copyOf(sources);
    featureGroups = List.copyOf(featureGroups);
  }

  public Optional<SourceConfig> source(String id) {
    return sources.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  /** Looks a group up by its versioned name, e.g. {@code product_stats_v1}. */
  public Optional<FeatureGroupConfig> group(String versionedName) {
    return featureGroups.stream().filter(g -> g.versionedName().equals(versionedName)).findFirst();
  }
}
