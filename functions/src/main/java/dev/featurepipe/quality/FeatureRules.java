package dev.featurepipe.quality;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.config.SourceConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;

/**
 * A feature group's quality rules ({@code feature_groups[].quality}): the source rules' vocabulary
 * and checks ({@link SourceRules}, {@link RowChecker}, {@link SourceGate}) applied to the group's
 * feature rows as BuildFeatures writes them, before CommitFeatures publishes anything.
 *
 * <p>Two differences from source rules: a feature row is never quarantined (dropping an entity's
 * features would serve stale values silently), so actions are {@code fail} (the default) or {@code
 * warn}; and {@code IsUnique} (one row per entity by construction) and {@code Freshness} (features
 * have no event time) do not apply.
 */
public final class FeatureRules {

  private FeatureRules() {}

  /** The id the group's rules carry in reports: {@code feature_groups[product_stats_v1]}. */
  public static String reportId(String versionedGroup) {
    return "feature_groups[" + versionedGroup + "]";
  }

  /**
   * Parses {@code nodes} against the group's Silver feature schema, adding one line per problem
   * (paths {@code feature_groups[<name>].quality[i]...}).
   */
  public static SourceRules parse(String name, String versionedGroup, List<JsonNode> nodes, Schema features,
      List<String> violations) {
    List<String> found = new ArrayList<>();
    SourceConfig pseudo = new SourceConfig(versionedGroup, "feature_group", null, null, null, nodes);
    SourceRules parsed = SourceRules.parse(pseudo, features, found);
    String sourcePath = "sources[" + versionedGroup + "]";
    String groupPath = "feature_groups[" + name + "]";
    found.forEach(v -> violations.add(v.replace(sourcePath, groupPath)
        .replace("the source's Bronze schema", "the group's feature table")));
    List<SourceRule> rules = new ArrayList<>();
    for (SourceRule r : parsed.rules()) {
      String at = groupPath + ".quality[" + r.index() + "]";
      JsonNode node = nodes.get(r.index());
      if (r.kind() == SourceRule.Kind.IsUnique || r.kind() == SourceRule.Kind.Freshness) {
        violations.add(at + ".rule: " + r.kind() + " applies to sources only (a group has one row per entity and"
            + " no event time); use it under sources[].quality");
        continue;
      }
      if (r.action() == SourceRule.Action.QUARANTINE) {
        if (node.hasNonNull("action")) {
          violations.add(at + ".action: a feature group's rules fail or warn, got quarantine (a feature row is"
              + " never set aside: its entity would keep serving old values without a trace)");
          continue;
        }
        r = new SourceRule(r.index(), r.kind(), r.column(), SourceRule.Action.FAIL, r.min(), r.low(), r.high(),
            r.in(), r.matches(), r.maxPercent(), r.maxAgeHours(), r.maxPsi(), r.binning());
      }
      rules.add(r);
    }
    return new SourceRules(reportId(versionedGroup), rules);
  }
}
