package dev.featurepipe.extract;

import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Connector checkpoints (JDBC watermarks, API page cursors) in the control table: item {@code
 * pk = ckpt:<sourceId>}, {@code sk = <key>}, attribute {@code value}. A checkpoint is written only
 * after the data it covers is safely in S3, so a resumed extract continues where it stopped and
 * neither skips nor repeats a record.
 */
public final class CheckpointStore {

  private final DynamoDbClient dynamo;
  private final String table;

  public CheckpointStore(DynamoDbClient dynamo, String table) {
    this.dynamo = dynamo;
    this.table = table;
  }

  public Optional<String> get(String sourceId, String key) {
    Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(sourceId, key))
        .consistentRead(true)).item();
    return item == null || !item.containsKey("value") ? Optional.empty() : Optional.of(item.get("value").s());
  }

  public void put(String sourceId, String key, String value) {
    dynamo.putItem(b -> b.tableName(table).item(item(sourceId, key, value)));
  }

  /**
   * Puts {@code value} only if the item's value is still {@code expected} (empty: the item has no
   * value), as one conditional write; returns false, writing nothing, when another writer got there
   * first. The compare-and-set that lets concurrent planners of one source agree on who advances it.
   */
  public boolean putIf(String sourceId, String key, Optional<String> expected, String value) {
    Map<String, AttributeValue> item = item(sourceId, key, value);
    try {
      // "value" is a DynamoDB reserved word, hence the #v placeholder.
      dynamo.putItem(b -> {
        b.tableName(table).item(item).expressionAttributeNames(Map.of("#v", "value"));
        if (expected.isEmpty()) {
          b.conditionExpression("attribute_not_exists(#v)");
        } else {
          b.conditionExpression("#v = :expected")
              .expressionAttributeValues(Map.of(":expected", AttributeValue.fromS(expected.get())));
        }
      });
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  public void delete(String sourceId, String key) {
    dynamo.deleteItem(b -> b.tableName(table).key(key(sourceId, key)));
  }

  private static Map<String, AttributeValue> item(String sourceId, String key, String value) {
    Map<String, AttributeValue> item = new java.util.TreeMap<>(key(sourceId, key));
    item.put("value", AttributeValue.fromS(value));
    return item;
  }

  private static Map<String, AttributeValue> key(String sourceId, String key) {
    return Map.of("pk", AttributeValue.fromS("ckpt:" + sourceId), "sk", AttributeValue.fromS(key));
  }
}
