package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.lineage.RunRecord;
import dev.featurepipe.run.Plan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A source that stays down: the run waits for it, then completes the rest and ends PARTIAL. */
class SourceUnavailabilityTest {

  /** Two sources, one group each: the EU clickstream feeds product_stats v2. */
  private static final String TWO_SOURCES = """
      version: 1
      sources:
        - {id: clickstream, kind: s3_jsonl, prefix: clickstream/, schema: clickstream_event_v1}
        - {id: clicks_eu, kind: s3_jsonl, prefix: clicks_eu/, schema: clickstream_event_v1}
      feature_groups:
        - {name: product_stats, version: 1, entity: product_id, source: clickstream, buckets: 4,
           PRODUCT_STATS_SPEC, online_ttl_days: 90}
        - {name: product_stats, version: 2, entity: product_id, source: clicks_eu, buckets: 4,
           PRODUCT_STATS_SPEC, online_ttl_days: 90}
      fanout: {chunks_per_extract: 1, extract_concurrency: 2, shards: 2, transform_concurrency: 2, load_concurrency: 2}
      """.replace("PRODUCT_STATS_SPEC", LocalStackFixture.PRODUCT_STATS_SPEC);

  @Test
  void aSourceThatStaysDownEndsTheRunPartialWithItsGroupStaleAndARerunCompletesIt(@TempDir Path tempDir) {
    LoadedConfig config = ConfigLoader.load(TWO_SOURCES.getBytes(StandardCharsets.UTF_8), "two-sources.yaml");
    LocalDate date = LocalDate.of(2026, 11, 18);
    try (LocalStackFixture stack = new LocalStackFixture(tempDir, config, UnaryOperator.identity())) {
      stack.upload("clickstream/", 41, date, 3_000, 2, 0);

      ExecutionResult partial = stack.runDaily(date, Map.of());

      assertThat(partial.status()).as("%s %s", partial.error(), partial.cause()).isEqualTo("SUCCEEDED");
      assertThat(partial.output().get("status").asText()).isEqualTo("PARTIAL");
      assertThat(partial.history()).filteredOn(e -> "PlanDailyRun".equals(e.stateName())
          && e.type().equals("TaskScheduled")).hasSize(4);
      RunRecord record = stack.runRecord(date);
      assertThat(record.status()).isEqualTo("PARTIAL");
      assertThat(record.unavailableSources()).extracting(Plan.UnavailableSource::sourceId).containsExactly("clicks_eu");
      assertThat(record.unavailableSources().get(0).message())
          .isEqualTo("source clicks_eu: no objects under s3://featurepipe-source/clicks_eu/dt=2026-11-18/; "
              + "the source has not delivered 2026-11-18 yet");
      assertThat(record.staleGroups()).containsExactly("product_stats_v2");
      assertThat(record.groups()).extracting(RunRecord.Group::group).containsExactly("product_stats_v1");
      assertThat(stack.onlineItems(date)).isNotEmpty();
      Map<String, AttributeValue> staleMeta = meta(stack, "product_stats_v2");
      assertThat(staleMeta.get("stale").bool()).isTrue();
      assertThat(staleMeta.get("stale_reason").s()).isEqualTo("source(s) clicks_eu unavailable on 2026-11-18");

      long v1Snapshot = stack.silverTable().currentSnapshot().snapshotId();
      var v1Items = stack.onlineItems(date);
      stack.upload("clicks_eu/", 42, date, 2_000, 2, 0); // the source comes back

      ExecutionResult complete = stack.runDaily(date, Map.of());

      assertThat(complete.output().get("status").asText()).isEqualTo("SUCCEEDED");
      // What finished is not redone: the clickstream's chunks are reused, only the EU ones are read.
      var extracts = stack.extractOutputs(complete);
      assertThat(extracts.stream().mapToInt(o -> o.get("chunks").asInt()).sum()).isEqualTo(4);
      assertThat(extracts.stream().mapToInt(o -> o.get("reused").asInt()).sum()).isEqualTo(2);
      stack.silverTable().refresh();
      assertThat(stack.silverTable().currentSnapshot().snapshotId()).as("product_stats_v1 is not committed again")
          .isEqualTo(v1Snapshot);
      assertThat(stack.onlineItems(date)).isEqualTo(v1Items);
      assertThat(stack.runRecord(date).groups()).extracting(RunRecord.Group::group)
          .containsExactly("product_stats_v1", "product_stats_v2");
      Map<String, AttributeValue> freshMeta = meta(stack, "product_stats_v2");
      assertThat(freshMeta).doesNotContainKey("stale");
      assertThat(freshMeta.get("as_of").s()).isEqualTo(date.toString());
    }
  }

  @Test
  void aSourceThatGoesDownOnARerunKeepsItsBronzePartitionAsItWas(@TempDir Path tempDir) {
    LoadedConfig config = ConfigLoader.load(TWO_SOURCES.getBytes(StandardCharsets.UTF_8), "two-sources.yaml");
    LocalDate date = LocalDate.of(2026, 11, 15);
    try (LocalStackFixture stack = new LocalStackFixture(tempDir, config, UnaryOperator.identity())) {
      stack.upload("clickstream/", 43, date, 2_000, 2, 0);
      var eu = stack.upload("clicks_eu/", 44, date, 2_000, 2, 0);
      assertThat(stack.runDaily(date, Map.of()).output().get("status").asText()).isEqualTo("SUCCEEDED");
      String euBronze = "bronze/source_id=clicks_eu/dt=" + date + "/";
      Map<String, String> before = stack.objectHashes(euBronze);
      assertThat(before).hasSizeGreaterThan(1);

      for (var o : eu.objects()) { // the EU source vanishes, then the date is rerun
        stack.local.clients().s3().deleteObject(b -> b.bucket(stack.local.context().names().sourceBucket()).key(o.key()));
      }
      ExecutionResult rerun = stack.runDaily(date, Map.of(), true);

      assertThat(rerun.output().get("status").asText()).isEqualTo("PARTIAL");
      assertThat(stack.objectHashes(euBronze)).as("Bronze of a source that is down is left alone").isEqualTo(before);
    }
  }

  private static Map<String, AttributeValue> meta(LocalStackFixture stack, String group) {
    return stack.local.clients().dynamoDb().getItem(b -> b.tableName(stack.local.context().names().featureTable())
        .key(Map.of("pk", AttributeValue.fromS("meta:" + group), "sk", AttributeValue.fromS("meta")))).item();
  }
}
