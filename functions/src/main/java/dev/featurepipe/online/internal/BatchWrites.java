package dev.featurepipe.online.internal;

import dev.featurepipe.errors.ThrottledWrite;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * One BatchWriteItem batch until every item landed: {@code UnprocessedItems} are sent again, and a
 * request refused with a throttling or server error is sent again whole, each after a backoff
 * wait, until the deadline; then {@link ThrottledWrite}, which the workflow retries (puts of the
 * same items are idempotent).
 */
public final class BatchWrites {

  /** BatchWriteItem's limit. */
  public static final int MAX_ITEMS = 25;

  private BatchWrites() {}

  public static void write(DynamoDbClient dynamo, String table, List<WriteRequest> batch, Backoff backoff,
      LoadCounters counters) {
    if (batch.size() > MAX_ITEMS) {
      throw new IllegalArgumentException("[BUG] BatchWriteItem takes at most " + MAX_ITEMS + " items, got " + batch.size());
    }
    List<WriteRequest> remaining = batch;
    while (true) {
      try {
        List<WriteRequest> request = remaining;
        BatchWriteItemResponse r = dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, request)));
        List<WriteRequest> unprocessed = r.unprocessedItems().getOrDefault(table, List.of());
        counters.written.add(remaining.size() - unprocessed.size());
        if (unprocessed.isEmpty()) {
          return;
        }
        counters.retriedItems.add(unprocessed.size());
        remaining = List.copyOf(unprocessed);
      } catch (SdkException e) {
        if (!Throttling.retryable(e)) {
          throw e;
        }
        counters.throttledRequests.increment();
      }
      if (!backoff.pause()) {
        throw new ThrottledWrite(remaining.size() + " items of a batch to " + table + " were still unprocessed or"
            + " throttled after " + backoff.attempts() + " retries, at the step's deadline; the workflow retries the"
            + " shard (writes of the same items are idempotent)");
      }
    }
  }
}
