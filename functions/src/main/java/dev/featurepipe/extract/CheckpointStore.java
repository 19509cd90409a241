package dev.featurepipe.extract;

import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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
    Map<String, AttributeValue> item = new java.util.TreeMap<>(key(sourceId, key));
    item.put("value", AttributeValue.fromS(value));
    dynamo.putItem(b -> b.tableName(table).item(item));
  }

  public void delete(String sourceId, String key) {
    dynamo.deleteItem(b -> b.tableName(table).key(key(sourceId, key)));
  }

  private static Map<String, AttributeValue> key(String sourceId, String key) {
    return Map.of("pk", AttributeValue.fromS("ckpt:" + sourceId), "sk", AttributeValue.fromS(key));
  }
}
