package dev.featurepipe.tests.online;

import static dev.featurepipe.tests.online.OnlineStoreFixture.FAST;
import static dev.featurepipe.tests.online.OnlineStoreFixture.USER_ACTIVITY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.config.LakeNames;
import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.lineage.RunPublisher;
import dev.featurepipe.lineage.RunSummary;
import dev.featurepipe.online.FeatureStoreClient;
import dev.featurepipe.online.FeatureStoreException;
import dev.featurepipe.online.GroupMeta;
import dev.featurepipe.run.RunState;
import dev.featurepipe.run.TransformItem;
import dev.featurepipe.transform.engine.FeatureGroupSpec.OutputFeature;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * PublishRun writes a group's meta item only once every shard has its load result, with what a
 * reader needs (names, types, order, vector layout), and a backfill of an older date never moves
 * {@code latest_as_of} back.
 */
class MetaPublishTest extends OnlineStoreTest {

  static final LocalDate D1 = LocalDate.parse("2026-11-20");
  static final LocalDate D2 = LocalDate.parse("2026-11-24");
  static final List<TransformItem> SHARDS =
      List.of(new TransformItem("user_activity_v1", 0, 2), new TransformItem("user_activity_v1", 1, 2));

  static RunState state(String runId, LocalDate date) {
    return new RunState(runId, date.toString(), store.stack.options().lakeBucket(), null, null,
        List.of("user_activity_v1"), "config", "code", "inputs", null, null,
        new RunState.BronzeRef(new TreeMap<>(), 0, 0, 0, SHARDS), null);
  }

  static RunPublisher publisher() {
    return new RunPublisher(PipelineContext.from(store.clients, LakeNames.fromEnvironment(store.stack.environment()),
        OnlineStoreFixture.DEMO));
  }

  Map<String, AttributeValue> metaItem() {
    return store.clients.dynamoDb().getItem(b -> b.tableName(store.table).consistentRead(true)
        .key(Map.of("pk", AttributeValue.fromS("meta:user_activity_v1"), "sk", AttributeValue.fromS("meta")))).item();
  }

  @Test
  void metaIsWrittenOnlyAfterEveryShardLoadedAndDescribesTheGroup() {
    store.commit("daily-2026-11-24", D2, USER_ACTIVITY, FeatureLoaderTest.rows(0, 60, 1), 4);
    store.load(store.clients.dynamoDb(), FAST, "daily-2026-11-24", D2, USER_ACTIVITY, 0, 2);

    assertThatThrownBy(() -> publisher().publish(state("daily-2026-11-24", D2)))
        .hasMessageStartingWith("[BUG] user_activity_v1 shard 1 of 2 has no load result")
        .hasMessageEndingWith("; meta is published only after every shard loaded");
    assertThat(metaItem()).doesNotContainKey("meta");
    FeatureStoreClient reader = new FeatureStoreClient(store.clients.dynamoDb(), store.table);
    assertThatThrownBy(() -> reader.meta("user_activity_v1")).isInstanceOf(FeatureStoreException.class)
        .hasMessageStartingWith("group user_activity_v1 has no published meta item");

    store.load(store.clients.dynamoDb(), FAST, "daily-2026-11-24", D2, USER_ACTIVITY, 1, 2);
    RunSummary summary = publisher().publish(state("daily-2026-11-24", D2));

    assertThat(summary.onlineItems()).isEqualTo(60);
    assertThat(summary.onlineSkipped()).isZero();
    GroupMeta meta = new FeatureStoreClient(store.clients.dynamoDb(), store.table).meta("user_activity_v1");
    assertThat(meta.features()).extracting(GroupMeta.Feature::name)
        .containsExactlyElementsOf(USER_ACTIVITY.spec().outputFeatures().stream().map(OutputFeature::column).toList());
    assertThat(meta.features()).extracting(GroupMeta.Feature::position)
        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, meta.features().size()).boxed().toList());
    assertThat(meta.features().get(0).type()).isEqualTo("long");
    assertThat(meta.vector().orElseThrow().order())
        .isEqualTo(USER_ACTIVITY.spec().vector().orElseThrow().vocabulary());
    assertThat(meta.vector().orElseThrow().length()).isEqualTo(8);
    assertThat(meta.latestAsOf()).isEqualTo("2026-11-24");
    assertThat(meta.runId()).isEqualTo("daily-2026-11-24");
    assertThat(meta.rowCount()).isEqualTo(60);
    assertThat(meta.qualityStatus()).isEqualTo("UNCHECKED");
    // config/demo/pipeline.yaml declares no drift rules: none is made up.
    assertThat(meta.driftThresholds()).isEmpty();
    assertThat(metaItem().get("loading_as_of").s()).isEqualTo("2026-11-24");
  }

  @Test
  void backfillOfAnOlderDateKeepsTheNewerMetaAndCountsItsSkippedItems() {
    store.commit("daily-2026-11-24", D2, USER_ACTIVITY, FeatureLoaderTest.rows(0, 40, 1), 2);
    store.load(store.clients.dynamoDb(), FAST, "daily-2026-11-24", D2, USER_ACTIVITY, 0, 2);
    store.load(store.clients.dynamoDb(), FAST, "daily-2026-11-24", D2, USER_ACTIVITY, 1, 2);
    publisher().publish(state("daily-2026-11-24", D2));
    Map<String, AttributeValue> newer = metaItem();
    store.commit("daily-2026-11-20", D1, USER_ACTIVITY, FeatureLoaderTest.rows(20, 50, 9), 2);
    store.load(store.clients.dynamoDb(), FAST, "daily-2026-11-20", D1, USER_ACTIVITY, 0, 2);
    store.load(store.clients.dynamoDb(), FAST, "daily-2026-11-20", D1, USER_ACTIVITY, 1, 2);

    RunSummary backfill = publisher().publish(state("daily-2026-11-20", D1));

    assertThat(backfill.onlineSkipped()).isEqualTo(20);
    assertThat(backfill.onlineItems()).isEqualTo(10);
    assertThat(metaItem()).isEqualTo(newer);
  }
}
