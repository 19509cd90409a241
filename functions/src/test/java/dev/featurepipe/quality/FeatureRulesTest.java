package dev.featurepipe.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.ops.Json;
import dev.featurepipe.transform.SilverSchemas;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.junit.jupiter.api.Test;

/** A feature group's rules: the source vocabulary, fail by default, never quarantine, no IsUnique or Freshness. */
class FeatureRulesTest {

  private static final Schema FEATURES =
      SilverSchemas.features(ConfigLoader.loadBundled().config().group("product_stats_v1").orElseThrow());

  private static List<JsonNode> rules(String json) {
    List<JsonNode> out = new ArrayList<>();
    Json.read(json.getBytes(StandardCharsets.UTF_8), JsonNode.class).forEach(out::add);
    return out;
  }

  @Test
  void rowRulesFailByDefaultAndReportUnderTheGroupsName() {
    List<String> problems = new ArrayList<>();
    SourceRules parsed = FeatureRules.parse("product_stats", "product_stats_v1", rules("""
        [{"rule": "ColumnValues", "column": "views_1d", "between": [0, 100]},
         {"rule": "Completeness", "column": "revenue_7d", "min": 0.5, "action": "warn"}]"""), FEATURES, problems);
    assertThat(problems).isEmpty();
    assertThat(parsed.sourceId()).isEqualTo("feature_groups[product_stats_v1]");
    assertThat(parsed.rules()).extracting(SourceRule::action).containsExactly(SourceRule.Action.FAIL,
        SourceRule.Action.WARN);
  }

  @Test
  void quarantineIsUniqueFreshnessAndUnknownColumnsAreRefusedNamingTheGroupsPath() {
    List<String> problems = new ArrayList<>();
    FeatureRules.parse("product_stats", "product_stats_v1", rules("""
        [{"rule": "ColumnValues", "column": "views_1d", "between": [0, 100], "action": "quarantine"},
         {"rule": "IsUnique", "column": "product_id"},
         {"rule": "Freshness", "column": "as_of", "max_age_hours": 30},
         {"rule": "IsComplete", "column": "no_such_feature"}]"""), FEATURES, problems);
    assertThat(problems).hasSize(4);
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("feature_groups[product_stats].quality[0].action:"
        + " a feature group's rules fail or warn, got quarantine"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("feature_groups[product_stats].quality[1].rule:"
        + " IsUnique applies to sources only"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("feature_groups[product_stats].quality[2].rule:"
        + " Freshness applies to sources only"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("feature_groups[product_stats].quality[3].column:")
        .contains("the group's feature table").contains("no_such_feature"));
  }
}
