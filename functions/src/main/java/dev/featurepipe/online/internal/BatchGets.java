package dev.featurepipe.online.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * BatchGetItem for up to 100 keys of one table, sending {@code UnprocessedKeys} again, and retrying
 * throttled requests, with backoff until the deadline. Items come back in no particular order; the
 * caller indexes them by key. At the deadline it throws what {@code atDeadline} makes of the message
 * (the loader's typed {@code ThrottledWrite}, the reader's own error).
 */
public final class BatchGets {

  /** BatchGetItem's limit. */
  public static final int MAX_KEYS = 100;

  private BatchGets() {}

  /** The result and how many keys and requests had to be sent again. */
  public record Result(List<Map<String, AttributeValue>> items, long retriedKeys, long throttledRequests) {}

  public static Result get(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys,
      String projection, boolean consistent, Supplier<Backoff> backoffs,
      Function<String, ? extends RuntimeException> atDeadline) {
    if (keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("[BUG] BatchGetItem takes at most " + MAX_KEYS + " keys, got " + keys.size());
    }
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    KeysAndAttributes pending = KeysAndAttributes.builder().keys(keys).projectionExpression(projection)
        .consistentRead(consistent).build();
    Backoff backoff = backoffs.get();
    long retried = 0;
    long throttled = 0;
    while (true) {
      try {
        KeysAndAttributes request = pending;
        BatchGetItemResponse r = dynamo.batchGetItem(b -> b.requestItems(Map.of(table, request)));
        items.addAll(r.responses().getOrDefault(table, List.of()));
        KeysAndAttributes unprocessed = r.unprocessedKeys().get(table);
        if (unprocessed == null || !unprocessed.hasKeys() || unprocessed.keys().isEmpty()) {
          return new Result(items, retried, throttled);
        }
        retried += unprocessed.keys().size();
        pending = unprocessed;
      } catch (SdkException e) {
        if (!Throttling.retryable(e)) {
          throw e;
        }
        throttled++;
      }
      if (!backoff.pause()) {
        throw atDeadline.apply(pending.keys().size() + " keys of " + table
            + " were still unprocessed or throttled by BatchGetItem after " + backoff.attempts()
            + " retries, at the deadline");
      }
    }
  }
}
