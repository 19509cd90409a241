package dev.featurepipe.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.quality.SourceRule.Action;
import dev.featurepipe.quality.SourceRule.Kind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceRulesTest {

  private static String config(String quality) {
    return """
        version: 1
        sources:
          - id: clickstream
            kind: s3_jsonl
            prefix: clickstream/
            schema: clickstream_event_v1
            quality:
        """ + quality.indent(6) + """
        feature_groups: []
        fanout: {chunks_per_extract: 1, extract_concurrency: 4, transform_concurrency: 2, load_concurrency: 2}
        """;
  }

  private static LoadedConfig load(String quality) {
    return ConfigLoader.load(config(quality).getBytes(StandardCharsets.UTF_8), "q.yaml");
  }

  private static SourceRules rules(String quality) {
    return SourceRules.of(load(quality).config().sources().get(0), ClickstreamSchema.BRONZE);
  }

  @Test
  void everyRuleKindParsesWithItsDefaults() {
    SourceRules r = rules("""
        - {rule: IsComplete, column: price}
        - {rule: Completeness, column: session_id, min: 0.6}
        - {rule: ColumnValues, column: price, between: [0, 100000]}
        - {rule: ColumnValues, column: event_type, in: [view, click, add_to_cart, purchase], action: warn}
        - {rule: ColumnValues, column: user_id, matches: '^user-[0-9]+$'}
        - {rule: IsUnique, column: event_id}
        - {rule: RowCount, between: [1, 100000000]}
        - {rule: RowCountChange}
        - {rule: Freshness, column: event_time, max_age_hours: 30}
        - {rule: DistributionDrift, column: price}
        - {rule: DistributionDrift, column: event_type, max_psi: 0.5, action: warn}
        - {rule: DistributionDrift, column: quantity, range: [0, 10], bins: 5}
        """);
    assertThat(r.rules()).extracting(SourceRule::kind).containsExactly(Kind.IsComplete, Kind.Completeness,
        Kind.ColumnValues, Kind.ColumnValues, Kind.ColumnValues, Kind.IsUnique, Kind.RowCount, Kind.RowCountChange,
        Kind.Freshness, Kind.DistributionDrift, Kind.DistributionDrift, Kind.DistributionDrift);
    assertThat(r.rules()).extracting(SourceRule::action).containsExactly(Action.QUARANTINE, Action.FAIL,
        Action.QUARANTINE, Action.WARN, Action.QUARANTINE, Action.FAIL, Action.FAIL, Action.FAIL, Action.FAIL,
        Action.FAIL, Action.WARN, Action.FAIL);
    assertThat(r.rules().get(2).high()).isEqualByComparingTo(new BigDecimal("100000"));
    assertThat(r.rules().get(7).maxPercent()).isEqualTo(20.0);
    assertThat(r.rules().get(9).maxPsi()).isEqualTo(0.2);
    assertThat(r.rules().get(9).binning().describe()).isEqualTo("log2x4");
    assertThat(r.rules().get(10).binning().describe()).isEqualTo("hash64");
    assertThat(r.rules().get(11).binning().describe()).isEqualTo("range[0,10)x5");
    assertThat(r.rules().get(2).reason()).isEqualTo("quality:ColumnValues:price");
  }

  @Test
  void everyProblemIsReportedAtLoadNamingSourceRuleIndexFieldAndFix() {
    assertThatThrownBy(() -> load("""
        - {rule: IsNotNull, column: price}
        - {rule: IsComplete, column: prize}
        - {rule: Completeness, column: session_id, min: 1.5}
        - {rule: ColumnValues, column: price, between: [10, 1]}
        - {rule: ColumnValues, column: price, in: [1, 2], between: [0, 1]}
        - {rule: ColumnValues, column: user_id, matches: '[unclosed'}
        - {rule: RowCountChange, max_percent: 20, action: quarantine}
        - {rule: Freshness, column: user_id, max_age_hours: 30}
        - {rule: RowCount, between: [1, 10], column: price}
        - {rule: DistributionDrift, column: price, bins: 10}
        """))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("""
            q.yaml has 10 problem(s):
            sources[clickstream].quality[0].rule: must be one of [IsComplete, Completeness, ColumnValues, IsUnique, \
            RowCount, RowCountChange, Freshness, DistributionDrift], got "IsNotNull"
            sources[clickstream].quality[1].column: must name a column of the source's Bronze schema [event_id, \
            event_time, user_id, product_id, event_type, price, quantity, session_id, _source_line], got "prize"
            sources[clickstream].quality[2].min: must be a non-null share between 0 and 1, such as min: 0.95, got 1.5
            sources[clickstream].quality[3].between: must be [low, high] with low <= high, such as between: [0, 100000], \
            got [10,1]
            sources[clickstream].quality[4]: ColumnValues takes exactly one of between: [low, high], in: [a, b, ...] \
            or matches: '<regex>', got 2
            sources[clickstream].quality[5].matches: must be a valid Java regular expression, got [unclosed \
            (Unclosed character class)
            sources[clickstream].quality[6].action: quarantine applies to row-level rules (IsComplete, ColumnValues); \
            RowCountChange describes the whole partition: use fail or warn, got quarantine
            sources[clickstream].quality[7].column: Freshness needs a timestamptz or date column, user_id is string
            sources[clickstream].quality[8].column: not a parameter of RowCount (it takes [action, between, rule])
            sources[clickstream].quality[9].bins: needs range: [low, high] (without a range, bins are quarter-octaves)""");
  }

  @Test
  void aSourceWithoutRulesHasNone() {
    var source = ConfigLoader.loadBundled().config().sources().get(0);
    assertThat(SourceRules.of(source, ClickstreamSchema.BRONZE).isEmpty()).isTrue();
    assertThat(source.quality()).isEqualTo(List.of());
  }
}
