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
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Writes {@code meta:<group>_v<N>}: what a reader needs to decode the group's items (feature names
 * and order, types, vector layout) and where they came from. Written last, by PublishRun, after the
 * workflow's LoadAllFeatures Map has loaded every shard (and PublishRun reads every shard's load result).
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

  /**
   * Publishes the group's meta for {@code asOf}, unless the item already describes a newer date (a
   * backfill of an older date must not move {@code latest_as_of} back): returns false then, and
   * leaves the item as it is. Written with UpdateItem so the loaders' {@code loading_as_of} mark
   * survives; a fresh publish clears an earlier {@code stale} flag.
   *
   * <p>{@code drift_thresholds}: per feature column, the PSI threshold of the group's drift rule.
   * They come from the group's {@code DistributionDrift} rules ({@code feature_groups[].quality});
   * readers must treat a missing column as "no drift rule", not as "threshold 0".
   */
  public boolean write(
      FeatureGroupConfig group, String asOf, String runId, long rowCount, long snapshotId, String silverTable,
      String qualityStatus) {
    Map<String, AttributeValue> values = new TreeMap<>();
    values.put(":meta", AttributeValue.fromS(Json.string(meta(group, asOf, runId, rowCount, snapshotId, silverTable,
        qualityStatus))));
    values.put(":d", AttributeValue.fromS(asOf));
    values.put(":r", AttributeValue.fromS(runId));
    values.put(":n", AttributeValue.fromN(Long.toString(rowCount)));
    try {
      dynamo.updateItem(b -> b.tableName(table)
          .key(Map.of(OnlineItems.PK, AttributeValue.fromS(OnlineItems.metaKey(group.versionedName())),
              OnlineItems.SK, AttributeValue.fromS(OnlineItems.META_SK)))
          .updateExpression("SET meta = :meta, " + OnlineItems.AS_OF + " = :d, " + OnlineItems.RUN_ID
              + " = :r, row_count = :n REMOVE stale, stale_date, stale_run_id, stale_reason")
          .conditionExpression("attribute_not_exists(" + OnlineItems.AS_OF + ") OR " + OnlineItems.AS_OF + " <= :d")
          .expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /** The meta document; key order fixed (insertion), lists in the group's definition order. */
  static Map<String, Object> meta(FeatureGroupConfig group, String asOf, String runId, long rowCount,
      long snapshotId, String silverTable, String qualityStatus) {
    FeatureGroupSpec spec = group.spec();
    List<Map<String, Object>> features = new ArrayList<>();
    int position = 0;
    for (OutputFeature f : spec.outputFeatures()) {
      Map<String, Object> feature = new LinkedHashMap<>();
      feature.put("name", f.column());
      feature.put("position", position++);
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
    TreeMap<String, Double> drift = new TreeMap<>();
    for (dev.featurepipe.quality.SourceRule r : group.quality().rules()) {
      if (r.kind() == dev.featurepipe.quality.SourceRule.Kind.DistributionDrift) {
        drift.put(r.column(), r.maxPsi());
      }
    }
    meta.put("drift_thresholds", drift);
    meta.put("latest_as_of", asOf);
    meta.put("run_id", runId);
    meta.put("row_count", rowCount);
    meta.put("silver_table", silverTable);
    meta.put("silver_snapshot_id", snapshotId);
    meta.put("quality_status", qualityStatus);
    meta.put("ttl_days", group.onlineTtlDays());
    return meta;
  }
}
