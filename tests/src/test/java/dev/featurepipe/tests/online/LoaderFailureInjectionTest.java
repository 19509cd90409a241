package dev.featurepipe.tests.online;

import static dev.featurepipe.tests.online.OnlineStoreFixture.FAST;
import static dev.featurepipe.tests.online.OnlineStoreFixture.USER_ACTIVITY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.ThrottledWrite;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.online.LoadResult;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Failure injection: an SDK {@link ExecutionInterceptor} in front of dynalite refuses a
 * deterministic share of BatchWriteItem requests with throttling and server errors, and takes a
 * deterministic share of items out of the requests it lets through, returning them as {@code
 * UnprocessedItems} (so dynalite never sees them on that attempt). Which requests and items is
 * decided by their keys, not by arrival order, so the counts are the same whatever the thread
 * scheduling. The loader's own retries (the test client has SDK retries off) must land every item
 * exactly once.
 */
class LoaderFailureInjectionTest extends OnlineStoreTest {

  static final LocalDate DT = LocalDate.parse("2026-11-24");


  static int index(String pk) {
    return Integer.parseInt(pk.substring(pk.lastIndexOf('-') + 1));
  }

  /**
   * Batch j (entities 25j..25j+24, cut in file order) is refused once: j % 4 == 0 with
   * ProvisionedThroughputExceededException, 1 with HTTP 500, j % 8 == 2 with ThrottlingException, 6
   * with RequestLimitExceeded; j % 4 == 3 never. Every entity with index % 7 == 3 comes back as
   * unprocessed the first time it is sent in a request that was let through.
   */
  static final class Injector implements ExecutionInterceptor {
    static final ExecutionAttribute<List<WriteRequest>> TAKEN_OUT = new ExecutionAttribute<>("injected-unprocessed");
    final Set<String> refusedOnce = ConcurrentHashMap.newKeySet();
    final Set<String> unprocessedOnce = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicInteger> landed = new ConcurrentHashMap<>();

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest c, ExecutionAttributes attributes) {
      if (!(c.request() instanceof BatchWriteItemRequest request)) {
        return c.request();
      }
      String table = request.requestItems().keySet().iterator().next();
      List<WriteRequest> items = request.requestItems().get(table);
      String first = items.get(0).putRequest().item().get("pk").s();
      int i = index(first);
      if (i % 25 == 0 && refusedOnce.add(first)) {
        int j = i / 25;
        RuntimeException refusal = switch (j % 8) {
          case 0, 4 -> ProvisionedThroughputExceededException.builder().statusCode(400).message("injected")
              .awsErrorDetails(details("ProvisionedThroughputExceededException")).build();
          case 1, 5 -> DynamoDbException.builder().statusCode(500).message("injected")
              .awsErrorDetails(details("InternalServerError")).build();
          case 2 -> DynamoDbException.builder().statusCode(400).message("injected")
              .awsErrorDetails(details("ThrottlingException")).build();
          case 6 -> DynamoDbException.builder().statusCode(400).message("injected")
              .awsErrorDetails(details("RequestLimitExceeded")).build();
          default -> null;
        };
        if (refusal != null) {
          throw refusal;
        }
      }
      List<WriteRequest> kept = new ArrayList<>();
      List<WriteRequest> takenOut = new ArrayList<>();
      for (WriteRequest w : items) {
        String pk = w.putRequest().item().get("pk").s();
        (index(pk) % 7 == 3 && unprocessedOnce.add(pk) ? takenOut : kept).add(w);
      }
      attributes.putAttribute(TAKEN_OUT, takenOut);
      return request.toBuilder().requestItems(Map.of(table, kept)).build();
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse c, ExecutionAttributes attributes) {
      if (!(c.response() instanceof BatchWriteItemResponse response) || !(c.request() instanceof BatchWriteItemRequest sent)) {
        return c.response();
      }
      sent.requestItems().values().forEach(l -> l.forEach(w ->
          landed.computeIfAbsent(w.putRequest().item().get("pk").s(), k -> new AtomicInteger()).incrementAndGet()));
      List<WriteRequest> takenOut = attributes.getAttribute(TAKEN_OUT);
      if (takenOut.isEmpty()) {
        return response;
      }
      String table = sent.requestItems().keySet().iterator().next();
      return response.toBuilder().unprocessedItems(Map.of(table, takenOut)).build();
    }

    private static AwsErrorDetails details(String code) {
      return AwsErrorDetails.builder().errorCode(code).errorMessage("injected").serviceName("DynamoDb").build();
    }
  }

  @Test
  void everyItemLandsExactlyOnceDespiteThrottlingServerErrorsAndUnprocessedItems() {
    int entities = 410;
    store.commit("daily-2026-11-24", DT, USER_ACTIVITY, FeatureLoaderTest.rows(0, entities, 3), 4);
    Injector injector = new Injector();

    LoadResult r = store.load(store.dynamo(injector), FAST, "daily-2026-11-24", DT, USER_ACTIVITY, 0, 1);

    int batches = (entities + 24) / 25;
    long refusedBatches = java.util.stream.IntStream.range(0, batches).filter(j -> j % 4 != 3).count();
    long unprocessed = java.util.stream.IntStream.range(0, entities).filter(i -> i % 7 == 3).count();
    assertThat(r.written()).isEqualTo(entities);
    assertThat(r.batches()).isEqualTo(batches);
    assertThat(r.throttledRequests()).isEqualTo(refusedBatches);
    assertThat(r.retriedItems()).isEqualTo(unprocessed);
    assertThat(injector.landed).hasSize(entities);
    assertThat(injector.landed.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    List<Map<String, AttributeValue>> items = store.items("user_activity_v1");
    assertThat(items).hasSize(entities);
    // The same items a load without faults writes.
    List<String> injected = items.stream().map(OnlineStoreFixture::canonical).toList();
    store.clear();
    store.load(store.clients.dynamoDb(), FAST, "daily-2026-11-24", DT, USER_ACTIVITY, 0, 1);
    assertThat(store.items("user_activity_v1").stream().map(OnlineStoreFixture::canonical).toList())
        .isEqualTo(injected);
  }

  @Test
  void throttlingPastTheDeadlineFailsWithThrottledWriteAndWritesNoLoadResult() {
    store.commit("daily-2026-11-25", DT.plusDays(1), USER_ACTIVITY, FeatureLoaderTest.rows(0, 30, 3), 1);
    ExecutionInterceptor alwaysThrottled = new ExecutionInterceptor() {
      @Override
      public SdkRequest modifyRequest(Context.ModifyRequest c, ExecutionAttributes a) {
        if (c.request() instanceof BatchWriteItemRequest) {
          throw ProvisionedThroughputExceededException.builder().statusCode(400).message("injected")
              .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException").build())
              .build();
        }
        return c.request();
      }
    };

    assertThatThrownBy(() -> store.load(store.dynamo(alwaysThrottled),
        FAST.withDefaultDeadline(Duration.ofMillis(300)), "daily-2026-11-25", DT.plusDays(1), USER_ACTIVITY, 0, 1))
        .isInstanceOf(ThrottledWrite.class)
        .hasMessageContaining("items of a batch to " + store.table + " were still unprocessed or throttled after")
        .hasMessageEndingWith("at the step's deadline; the workflow retries the shard (writes of the same items are"
            + " idempotent)");
    assertThat(store.lake.find(LakeLayout.loadResult("daily-2026-11-25", "user_activity_v1", 0, 1))).isEmpty();
  }
}
