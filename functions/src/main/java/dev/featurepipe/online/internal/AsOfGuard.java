package dev.featurepipe.online.internal;

import dev.featurepipe.errors.ThrottledWrite;
import dev.featurepipe.online.OnlineItems;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Keeps an older date from overwriting a newer {@code as_of}. BatchWriteItem takes no conditions,
 * so the loader decides per load:
 *
 * <ul>
 *   <li>{@link #claim}: before writing anything, raise the group's high-water mark {@value
 *       #LOADING_AS_OF} on its meta item to the load's date, on condition that neither the mark nor
 *       the published {@code as_of} is newer. It holds for every daily load and every rerun of the
 *       latest date: then no item of the group can be newer (every load raises the mark before its
 *       first write, failed loads included), and plain BatchWriteItem is safe.
 *   <li>Otherwise (a backfill of an older date) {@link #writeGuarded}: BatchGetItem the batch's
 *       stored {@code as_of} (consistent read) and drop the keys that are newer, then write each
 *       remaining item with a conditional PutItem ({@code attribute_not_exists(as_of) OR as_of <=
 *       :d}), so a newer item written meanwhile is not overwritten either. Both drops count as
 *       skipped.
 * </ul>
 *
 * One race is left to the workflow: a load that claimed the fast path, still writing while a newer
 * date's load of the same group starts, can overwrite that newer load's items for keys it writes
 * later. Dates of one group must not load concurrently (the backfill's Map runs dates one at a time
 * per group, oldest first, and is not run beside the daily schedule's load).
 */
public final class AsOfGuard {

  /** On {@code meta:<group>}: the newest date any load of the group has begun to write. */
  public static final String LOADING_AS_OF = "loading_as_of";

  static final String CONDITION = "attribute_not_exists(" + OnlineItems.AS_OF + ") OR " + OnlineItems.AS_OF
      + " <= :d";

  private AsOfGuard() {}

  /** True when the load may use unconditional BatchWriteItem: nothing newer than {@code asOf} was ever loaded. */
  public static boolean claim(DynamoDbClient dynamo, String table, String versionedGroup, String asOf,
      Backoff backoff, LoadCounters counters) {
    return conditional(backoff, counters, () -> dynamo.updateItem(b -> b.tableName(table)
            .key(Map.of(OnlineItems.PK, AttributeValue.fromS(OnlineItems.metaKey(versionedGroup)),
                OnlineItems.SK, AttributeValue.fromS(OnlineItems.META_SK)))
            .updateExpression("SET " + LOADING_AS_OF + " = :d")
            .conditionExpression("(attribute_not_exists(" + LOADING_AS_OF + ") OR " + LOADING_AS_OF
                + " <= :d) AND (" + CONDITION + ")")
            .expressionAttributeValues(Map.of(":d", AttributeValue.fromS(asOf)))),
        "the as_of high-water mark of " + versionedGroup + " in " + table);
  }

  /** Writes the items whose stored {@code as_of} is not newer than {@code asOf}; counts the others as skipped. */
  public static void writeGuarded(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> items,
      String asOf, Supplier<Backoff> backoffs, LoadCounters counters) {
    List<Map<String, AttributeValue>> keys = new ArrayList<>(items.size());
    for (Map<String, AttributeValue> item : items) {
      keys.add(Map.of(OnlineItems.PK, item.get(OnlineItems.PK), OnlineItems.SK, item.get(OnlineItems.SK)));
    }
    BatchGets.Result stored = BatchGets.get(dynamo, table, keys,
        OnlineItems.PK + ", " + OnlineItems.SK + ", " + OnlineItems.AS_OF, true, backoffs, ThrottledWrite::new);
    counters.retriedItems.add(stored.retriedKeys());
    counters.throttledRequests.add(stored.throttledRequests());
    // Lookup only: never iterated, so its order cannot reach output.
    Map<String, String> storedAsOf = new HashMap<>();
    for (Map<String, AttributeValue> s : stored.items()) {
      AttributeValue v = s.get(OnlineItems.AS_OF);
      if (v != null && v.s() != null) {
        storedAsOf.put(s.get(OnlineItems.PK).s(), v.s());
      }
    }
    for (Map<String, AttributeValue> item : items) {
      String newer = storedAsOf.get(item.get(OnlineItems.PK).s());
      if (newer != null && newer.compareTo(asOf) > 0) {
        counters.skipped.increment();
      } else if (conditionalPut(dynamo, table, item, asOf, backoffs.get(), counters)) {
        counters.written.increment();
      } else {
        counters.skipped.increment();
      }
    }
  }

  private static boolean conditionalPut(DynamoDbClient dynamo, String table, Map<String, AttributeValue> item,
      String asOf, Backoff backoff, LoadCounters counters) {
    return conditional(backoff, counters, () -> dynamo.putItem(b -> b.tableName(table).item(item)
            .conditionExpression(CONDITION).expressionAttributeValues(Map.of(":d", AttributeValue.fromS(asOf)))),
        "a conditional put to " + table);
  }

  /**
   * One conditional write: true when it was applied, false when its condition failed; throttling
   * and server errors are counted and retried with backoff until the deadline.
   */
  private static boolean conditional(Backoff backoff, LoadCounters counters, Runnable write, String what) {
    while (true) {
      try {
        write.run();
        return true;
      } catch (ConditionalCheckFailedException e) {
        return false;
      } catch (SdkException e) {
        if (!Throttling.retryable(e)) {
          throw e;
        }
        counters.throttledRequests.increment();
      }
      if (!backoff.pause()) {
        throw new ThrottledWrite(what + " was still throttled after " + backoff.attempts()
            + " retries, at the step's deadline; the workflow retries the shard");
      }
    }
  }
}
