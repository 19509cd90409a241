package dev.featurepipe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.ConfigInvalid;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  private static final String VALID = """
      version: 1
      sources:
        - id: clickstream
          kind: s3_jsonl
          prefix: clickstream/
          schema: clickstream_event_v1
      feature_groups:
        - name: product_stats
          version: 1
          entity: product_id
          source: clickstream
          buckets: 16
          online_ttl_days: 90
          event_time: event_time
          dedupe_by: event_id
          windows: [1d, 7d]
          features:
            - {name: views, agg: count, where: {column: event_type, in: [view]}}
            - {name: revenue, agg: sum, column: price, times: quantity}
      fanout:
        chunks_per_extract: 1
        extract_concurrency: 4
        shards: 2
        transform_concurrency: 2
        load_concurrency: 2
      """;

  private static LoadedConfig load(String yaml) {
    return ConfigLoader.load(yaml.getBytes(StandardCharsets.UTF_8), "test.yaml");
  }

  @Test
  void bundledConfigLoadsAndIsHashed() {
    LoadedConfig config = ConfigLoader.loadBundled();
    assertThat(config.config().group("product_stats_v1")).isPresent();
    assertThat(config.sha256()).hasSize(64);
  }

  @Test
  void validConfigKeepsFeatureOrderAndHashesTheExactBytes() {
    LoadedConfig a = load(VALID);
    FeatureGroupConfig g = a.config().featureGroups().get(0);
    assertThat(g.spec().outputFeatures()).extracting(f -> f.column())
        .containsExactly("views_1d", "views_7d", "revenue_1d", "revenue_7d");
    assertThat(g.buckets()).isEqualTo(16);
    assertThat(g.onlineTtlDays()).isEqualTo(90);
    assertThat(g.entity()).isEqualTo("product_id");
    assertThat(load(VALID + "\n").sha256()).isNotEqualTo(a.sha256());
  }

  @Test
  void everyViolationIsReportedOnItsOwnLineWithPathRuleAndValue() {
    String bad = VALID.replace("buckets: 16", "buckets: 0")
        .replace("column: price, times", "column: dwell_time, times")
        .replace("shards: 2", "shards: 0")
        .replace("source: clickstream\n    buckets", "source: clicks\n    buckets");
    assertThatThrownBy(() -> load(bad))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("""
            test.yaml has 1 problem(s):
            fanout.shards: must be between 1 and 4096, got 0""");
    assertThatThrownBy(() -> load(bad.replace("shards: 0", "shards: 2")))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("""
            test.yaml has 2 problem(s):
            feature_groups[product_stats].buckets: must be an integer between 1 and 4096, got 0
            feature_groups[product_stats].source: must name a source in sources, got clicks""");
    assertThatThrownBy(() -> load(VALID.replace("column: price, times", "column: dwell_time, times")))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("""
            test.yaml has 1 problem(s):
            feature_groups[product_stats].features[1].column: unknown column dwell_time in source clickstream; \
            columns are [event_id, event_time, user_id, product_id, event_type, price, quantity, session_id, \
            _source_line]""");
  }

  @Test
  void unknownKeyIsRejectedWithItsPath() {
    assertThatThrownBy(() -> load(VALID.replace("buckets: 16", "buckets: 16\n    bucket_count: 3")))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageContaining("feature_groups[product_stats]: unknown field bucket_count, allowed are [buckets,");
  }

  @Test
  void missingRequiredKeyIsRejectedWithItsPath() {
    assertThatThrownBy(() -> load(VALID.replace("    online_ttl_days: 90\n", "")))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageContaining("feature_groups[product_stats].online_ttl_days: must be an integer between 1 and 3650,"
            + " got nothing");
  }

  @Test
  void groupNamingAnUnknownSourceIsRejected() {
    assertThatThrownBy(() -> load(VALID.replace("    source: clickstream", "    source: orders")))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageContaining("feature_groups[product_stats].source: must name a source in sources, got orders");
  }

  @Test
  void sourceIdsMayNotUseTheSeparatorOfDerivedPartitions() {
    assertThatThrownBy(() -> load(VALID.replace("id: clickstream", "id: orders__state")
            .replace("source: clickstream", "source: orders__state")))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageContaining("sources[orders__state].id: must not contain __ (reserved for partitions derived from "
            + "a source, such as a CDC source's <id>__state), got orders__state");
  }
}
