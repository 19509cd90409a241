package dev.featurepipe.online;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.ops.Json;
import dev.featurepipe.transform.engine.FeatureGroupSpec;
import dev.featurepipe.transform.engine.FeatureGroupSpec.OutputFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Writes {@code meta:<group>_v<N>}: what a reader needs to decode the group's items (feature names
 * and order, types, vector layout) and where they came from. Written last, after every shard loaded.
 */
public final class MetaWriter {

  private final DynamoDbClient dynamo;
  private final String table;

  public MetaWriter(DynamoDbClient dynamo, String table) {
    this.dynamo = dynamo;
    this.table = table;
  }

  /**
   * Marks a group's meta item stale without touching its features: the served values stay, and
   * readers can see that {@code as_of} did not advance and why. Creates the item if the group was
   * never published.
   */
  public void markStale(String versionedGroup, String runId, String date, String reason) {
    dynamo.updateItem(b -> b.tableName(table)
        .key(Map.of(OnlineItems.PK, AttributeValue.fromS(OnlineItems.metaKey(versionedGroup)),
            OnlineItems.SK, AttributeValue.fromS(OnlineItems.META_SK)))
        .updateExpression("SET stale = :t, stale_date = :d, stale_run_id = :r, stale_reason = :why")
        .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true), ":d", AttributeValue.fromS(date),
            ":r", AttributeValue.fromS(runId), ":why", AttributeValue.fromS(reason))));
  }

  public Map<String, AttributeValue> write(
      FeatureGroupConfig group, String asOf, String runId, long rowCount, long snapshotId, String silverTable,
      String qualityStatus) {
    FeatureGroupSpec spec = group.spec();
    List<Map<String, Object>> features = new ArrayList<>();
    for (OutputFeature f : spec.outputFeatures()) {
      Map<String, Object> feature = new LinkedHashMap<>();
      feature.put("name", f.column());
      feature.put("feature", f.feature());
      feature.put("window", f.window().label());
      feature.put("type", f.type().toString());
      features.add(feature);
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("group", group.name());
    meta.put("version", group.version());
    meta.put("entity", group.entity());
    meta.put("key_prefix", OnlineItems.keyPrefix(group.entity()));
    meta.put("features", features);
    spec.vector().ifPresent(v -> {
      Map<String, Object> vector = new LinkedHashMap<>();
      vector.put("attribute", v.name());
      vector.put("encoding", "float32-le");
      vector.put("length", v.vocabulary().size());
      vector.put("order", v.vocabulary());
      vector.put("column", v.column().name());
      vector.put("window", v.window().label());
      vector.put("normalize", v.normalize().name().toLowerCase(java.util.Locale.ROOT));
      meta.put("vector", vector);
    });
    meta.put("latest_as_of", asOf);
    meta.put("run_id", runId);
    meta.put("row_count", rowCount);
    meta.put("silver_table", silverTable);
    meta.put("silver_snapshot_id", snapshotId);
    meta.put("quality_status", qualityStatus);
    meta.put("ttl_days", group.onlineTtlDays());

    Map<String, AttributeValue> item = new TreeMap<>();
    item.put(OnlineItems.PK, AttributeValue.fromS(OnlineItems.metaKey(group.versionedName())));
    item.put(OnlineItems.SK, AttributeValue.fromS(OnlineItems.META_SK));
    item.put("meta", AttributeValue.fromS(Json.string(meta)));
    item.put(OnlineItems.AS_OF, AttributeValue.fromS(asOf));
    item.put(OnlineItems.RUN_ID, AttributeValue.fromS(runId));
    item.put("row_count", AttributeValue.fromN(Long.toString(rowCount)));
    dynamo.putItem(b -> b.tableName(table).item(item));
    return item;
  }
}
