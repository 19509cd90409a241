package dev.featurepipe.tests.online;

import static dev.featurepipe.tests.online.OnlineStoreFixture.FAST;
import static dev.featurepipe.tests.online.OnlineStoreFixture.USER_ACTIVITY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.infra.demo.FeatureShardGenerator;
import dev.featurepipe.online.EntityFeatures;
import dev.featurepipe.online.FeatureStoreClient;
import dev.featurepipe.online.MetaWriter;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/** FeatureStoreClient against dynalite: typed decoding, batch gets of 100 keys with unprocessed keys, meta caching. */
class FeatureStoreClientTest extends OnlineStoreTest {

  static final LocalDate DT = LocalDate.parse("2026-11-24");
  static final int ENTITIES = 250;

  List<Record> loadGroup() {
    List<Record> rows = FeatureLoaderTest.rows(0, ENTITIES, 11);
    store.commit("daily-2026-11-24", DT, USER_ACTIVITY, rows, 2);
    store.load(store.clients.dynamoDb(), FAST, "daily-2026-11-24", DT, USER_ACTIVITY, 0, 1);
    new MetaWriter(store.clients.dynamoDb(), store.table).write(USER_ACTIVITY, DT.toString(), "daily-2026-11-24",
        ENTITIES, 1, "featurepipe.user_activity_v1", "UNCHECKED");
    return rows;
  }

  @Test
  void getDecodesEveryFeatureTypedInTheGroupsOrderAndTheVectorAsFloats() {
    List<Record> rows = loadGroup();
    FeatureStoreClient client = new FeatureStoreClient(store.clients.dynamoDb(), store.table);

    Record row = rows.get(7);
    EntityFeatures f = client.get("user_activity_v1", "user-00000007").orElseThrow();

    assertThat(f.key()).isEqualTo("u:feat:user-00000007");
    assertThat(f.asOf()).isEqualTo(DT);
    assertThat(f.runId()).isEqualTo("daily-2026-11-24");
    assertThat(f.values().get("views_7d")).isEqualTo(row.getField("views_7d"));
    assertThat(f.values().get("revenue_30d")).isInstanceOf(BigDecimal.class).isEqualTo(row.getField("revenue_30d"));
    for (String ctr : List.of("ctr_1d", "ctr_7d", "ctr_30d")) {
      assertThat(f.values().get(ctr)).as(ctr).isEqualTo(row.getField(ctr));
    }
    List<?> top = (List<?>) row.getField("top_categories_30d");
    List<?> decoded = (List<?>) f.values().get("top_categories_30d");
    assertThat(decoded).hasSize(top.size());
    for (int i = 0; i < top.size(); i++) {
      Record e = (Record) top.get(i);
      assertThat(decoded.get(i)).isEqualTo(Map.of("value", e.getField("value"), "count", e.getField("count")));
    }
    List<?> profile = (List<?>) row.getField("category_profile");
    float[] expected = new float[profile.size()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (Float) profile.get(i);
    }
    assertThat(f.vector()).containsExactly(expected);
    List<String> order = new ArrayList<>(client.meta("user_activity_v1").features().stream()
        .map(x -> x.name()).filter(f.values()::containsKey).toList());
    assertThat(f.values().keySet()).containsExactlyElementsOf(order);
    assertThat(client.get("user_activity_v1", "user-99999999")).isEmpty();
  }

  /**
   * Failure injection: an SDK interceptor takes every key whose entity index is a multiple of 5
   * out of the first BatchGetItem request that carries it and returns it as UnprocessedKeys.
   */
  @Test
  void batchGetAsksForAtMost100KeysPerRequestAndRetriesUnprocessedKeys() {
    loadGroup();
    List<Integer> requestSizes = new CopyOnWriteArrayList<>();
    AtomicInteger metaReads = new AtomicInteger();
    Set<String> deferredOnce = ConcurrentHashMap.newKeySet();
    ExecutionAttribute<List<Map<String, AttributeValue>>> deferred = new ExecutionAttribute<>("deferred");
    ExecutionInterceptor injector = new ExecutionInterceptor() {
      @Override
      public SdkRequest modifyRequest(Context.ModifyRequest c, ExecutionAttributes a) {
        if (c.request() instanceof GetItemRequest g && g.key().get("pk").s().startsWith("meta:")) {
          metaReads.incrementAndGet();
        }
        if (!(c.request() instanceof BatchGetItemRequest r)) {
          return c.request();
        }
        String table = r.requestItems().keySet().iterator().next();
        KeysAndAttributes ka = r.requestItems().get(table);
        requestSizes.add(ka.keys().size());
        List<Map<String, AttributeValue>> kept = new ArrayList<>();
        List<Map<String, AttributeValue>> later = new ArrayList<>();
        for (Map<String, AttributeValue> key : ka.keys()) {
          String pk = key.get("pk").s();
          boolean defer = LoaderFailureInjectionTest.index(pk) % 5 == 0 && deferredOnce.add(pk);
          (defer ? later : kept).add(key);
        }
        a.putAttribute(deferred, later);
        return r.toBuilder().requestItems(Map.of(table, ka.toBuilder().keys(kept).build())).build();
      }

      @Override
      public SdkResponse modifyResponse(Context.ModifyResponse c, ExecutionAttributes a) {
        if (!(c.response() instanceof BatchGetItemResponse r) || a.getAttribute(deferred).isEmpty()) {
          return c.response();
        }
        BatchGetItemRequest sent = (BatchGetItemRequest) c.request();
        String table = sent.requestItems().keySet().iterator().next();
        return r.toBuilder().unprocessedKeys(Map.of(table,
            sent.requestItems().get(table).toBuilder().keys(a.getAttribute(deferred)).build())).build();
      }
    };
    FeatureStoreClient client = new FeatureStoreClient(store.dynamo(injector), store.table);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ENTITIES; i++) {
      ids.add(FeatureShardGenerator.entityId(USER_ACTIVITY, i));
    }
    ids.add("user-99999991");

    SortedMap<String, EntityFeatures> got = client.batchGet("user_activity_v1", ids);

    assertThat(got).hasSize(ENTITIES).doesNotContainKey("user-99999991");
    // 251 keys: 100, 100, 51 first; then each chunk's every-fifth keys again (20, 20, 10).
    assertThat(requestSizes).containsExactly(100, 20, 100, 20, 51, 10);
    FeatureStoreClient plain = new FeatureStoreClient(store.clients.dynamoDb(), store.table);
    for (String id : List.of("user-00000000", "user-00000005", "user-00000123", "user-00000249")) {
      EntityFeatures one = plain.get("user_activity_v1", id).orElseThrow();
      assertThat(got.get(id).values()).isEqualTo(one.values());
      assertThat(got.get(id).vector()).isEqualTo(one.vector());
    }
    client.get("user_activity_v1", "user-00000001");
    client.get("user_activity_v1", "user-00000002");
    assertThat(metaReads.get()).as("meta read once per client").isEqualTo(1);
  }
}
