package dev.featurepipe.config;

import java.util.List;
import java.util.Optional;

/**
 * {@code config/pipeline.yaml}, as read, validated and resolved by {@link ConfigLoader}. {@code
 * schemas}: each source's registered schema (the version it names), by source id, for sources that
 * name one.
 */
public record PipelineConfig(int version, List<SourceConfig> sources, List<FeatureGroupConfig> featureGroups,
    FanoutConfig fanout, java.util.SortedMap<String, dev.featurepipe.schema.SourceSchema> schemas) {

  public PipelineConfig {
    sources = List.copyOf(sources);
    featureGroups = List.copyOf(featureGroups);
    schemas = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(schemas));
  }

  public Optional<SourceConfig> source(String id) {
    return sources.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  /** Looks a group up by its versioned name, e.g. {@code product_stats_v1}. */
  public Optional<FeatureGroupConfig> group(String versionedName) {
    return featureGroups.stream().filter(g -> g.versionedName().equals(versionedName)).findFirst();
  }
}
