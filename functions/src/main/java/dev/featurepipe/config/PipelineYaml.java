package dev.featurepipe.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * {@code pipeline.yaml} as Jackson reads it, before {@link ConfigLoader} checks it: feature groups
 * stay YAML trees until they can be resolved against their sources' Bronze schemas.
 */
record PipelineYaml(
    @JsonProperty(value = "version", required = true) int version,
    @JsonProperty(value = "sources", required = true) List<SourceConfig> sources,
    @JsonProperty(value = "feature_groups", required = true) List<JsonNode> featureGroups,
    @JsonProperty(value = "fanout", required = true) FanoutConfig fanout) {

  PipelineYaml {
    sources = List.copyOf(sources);
    featureGroups = List.copyOf(featureGroups);
  }
}
