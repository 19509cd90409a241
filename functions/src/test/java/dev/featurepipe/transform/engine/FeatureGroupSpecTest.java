package dev.featurepipe.transform.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.extract.ClickstreamSchema;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureGroupSpecTest {

  @Test
  void outputColumnsAreFeaturesOuterWindowsInnerThenTheVector() {
    FeatureGroupSpec spec = EngineFixtures.userActivity();
    assertThat(spec.outputFeatures()).extracting(FeatureGroupSpec.OutputFeature::column)
        .startsWith("events_1d", "events_7d", "events_30d", "events_lifetime", "views_1d")
        .endsWith("revenue_minus_total_lifetime", "category_profile")
        .hasSize(21 * 4 + 1);
    assertThat(FeatureComputer.schema(spec).columns().get(0).name()).isEqualTo("user_id");
    assertThat(FeatureComputer.schema(spec).findField("revenue_7d").type().toString()).isEqualTo("decimal(38, 2)");
    assertThat(FeatureComputer.schema(spec).findField("ctr_1d").type().toString()).isEqualTo("double");
    assertThat(FeatureComputer.schema(spec).findField("cart_minus_buy_1d").type().toString()).isEqualTo("long");
    assertThat(FeatureComputer.schema(spec).findField("category_profile").type().toString()).isEqualTo("list<float>");
  }

  @Test
  void everyViolationIsReportedOnItsOwnLineWithPathRuleAndValue() {
    String yaml = """
        name: user_activity
        version: 1
        entity: user_id
        source: clickstream
        event_time: event_time
        dedupe_by: event_id
        windows: [1d, 45d, 90d, 7d, 1d]
        colour: blue
        features:
          - {name: views, agg: count}
          - {name: revenue, agg: sum, column: event_type}
          - {name: avg, agg: mean, column: pricee}
          - {name: views, agg: count}
          - {name: ctr, ratio: [clicks, views], on_zero: null}
          - {name: early, difference: [views, later]}
          - {name: later, agg: count}
          - {name: top, agg: top_k, column: product_id}
          - {name: r2, ratio: [views, views]}
        """;
    assertThatThrownBy(() -> FeatureGroupSpec.parse(EngineFixtures.yaml(yaml), ClickstreamSchema.BRONZE, Map.of(), 30))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage(String.join("\n",
            "feature_groups[user_activity]: unknown field colour, allowed are [buckets, dedupe_by, entity, event_time,"
                + " features, filter, joins, name, online_ttl_days, quality, source, vector, version, windows]",
            "feature_groups[user_activity].windows[1]: must be one of 1d, 7d, 30d, 90d, lifetime, got \"45d\"",
            "feature_groups[user_activity].windows[2]: window longer than the 30 days of retained Bronze data, got 90d;"
                + " use a window of at most 30 days or lifetime (kept in tiles)",
            "feature_groups[user_activity].windows[4]: duplicate window, got 1d",
            "feature_groups[user_activity].features[1].column: sum needs a numeric column (int, long, decimal, float,"
                + " double), got event_type of type string",
            "feature_groups[user_activity].features[2].column: unknown column pricee in source clickstream; columns are"
                + " [event_id, event_time, user_id, product_id, event_type, price, quantity, session_id, _source_line]",
            "feature_groups[user_activity].features[3].name: duplicate feature name, got views; names must be unique",
            "feature_groups[user_activity].features[4].ratio[0]: must name a feature declared earlier in features, got"
                + " clicks; earlier features are [views]",
            "feature_groups[user_activity].features[5].difference[1]: must name a feature declared earlier in features,"
                + " got later; earlier features are [views]",
            "feature_groups[user_activity].features[7].k: top_k needs k between 1 and 1000, got nothing",
            "feature_groups[user_activity].features[8].on_zero: must say what a zero denominator gives: null or zero,"
                + " got nothing"));
  }

  @Test
  void joinsAndVectorsAreCheckedAgainstTheDimensionSchema() {
    String yaml = """
        name: g
        version: 0
        entity: price
        source: clickstream
        event_time: user_id
        dedupe_by: event_id
        joins:
          - {source: catalog, key: product_id, columns: [category]}
          - {source: products, key: product_id, columns: [category, user_id, colour]}
        features:
          - {name: n, agg: count, where: {column: quantity, in: [one]}}
        windows: [7d]
        vector: {name: v, column: category, vocabulary: [a, a], normalize: l2, window: 7d}
        """;
    assertThatThrownBy(() -> FeatureGroupSpec.parse(EngineFixtures.yaml(yaml), ClickstreamSchema.BRONZE,
        Map.of("products", EngineFixtures.PRODUCTS), 90))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage(String.join("\n",
            "feature_groups[g].version: must be an integer >= 1 (a changed definition is a new version), got 0",
            "feature_groups[g].entity: must be a column of type [integer, long, string], got price of type"
                + " decimal(12, 2)",
            "feature_groups[g].event_time: must be a column of type [timestamp], got user_id of type string",
            "feature_groups[g].joins[0].source: unknown dimension source, got catalog; dimension sources are [products]",
            "feature_groups[g].joins[1].columns[1]: unknown column user_id in source products; columns are"
                + " [product_id, category, title]",
            "feature_groups[g].joins[1].columns[2]: unknown column colour in source products; columns are"
                + " [product_id, category, title]",
            "feature_groups[g].features[0].where.in[0]: must be a int value like column quantity, got \"one\"",
            "feature_groups[g].vector.vocabulary[1]: duplicate entry, got a",
            "feature_groups[g].vector.normalize: must be l1 or none, got \"l2\""));
  }
}
