package dev.featurepipe.config;

import dev.featurepipe.transform.engine.FeatureGroupSpec;
import java.util.List;
import java.util.Objects;

/**
 * A feature group at one immutable version; its Silver tables are {@code <name>_v<version>} and
 * {@code <name>_v<version>_tiles}. The pipeline owns {@code buckets} (Silver layout) and {@code
 * online_ttl_days}; everything else of the {@code feature_groups[]} entry is the engine's {@code spec},
 * resolved at load against the Bronze schemas of {@code source} and of the {@code joinSources}.
 * {@code definition}: the entry as canonical JSON (sorted keys) without {@code online_ttl_days} and
 * {@code quality}, the fields a published version may change (neither moves a Silver byte); see
 * catalog.PublishedDefinitions. {@code quality}: the group's feature rules (quality.FeatureRules).
 */
public record FeatureGroupConfig(
    String name, int version, String source, List<String> joinSources, int buckets, int onlineTtlDays,
    FeatureGroupSpec spec, String definition, dev.featurepipe.quality.SourceRules quality) {

  public FeatureGroupConfig {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(quality, "quality");
    joinSources = List.copyOf(joinSources);
    if (!spec.name().equals(name) || spec.version() != version || !spec.source().equals(source)) {
      throw new IllegalArgumentException("[BUG] group " + name + "_v" + version + " of " + source
          + " carries the spec of " + spec.versionedName() + " of " + spec.source());
    }
  }

  /** {@code product_stats_v1}: Silver table name, DynamoDB sort key, run-file folder. */
  public String versionedName() {
    return name + "_v" + version;
  }

  /** {@code product_stats_v1_tiles}: the daily tile table. */
  public String tilesName() {
    return versionedName() + "_tiles";
  }

  /** The entity key column, e.g. {@code product_id}. */
  public String entity() {
    return spec.entity().name();
  }

  /** Every source the group reads: its own, then the joined ones in declared order. */
  public List<String> inputSources() {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(source), joinSources.stream()).toList();
  }
}
