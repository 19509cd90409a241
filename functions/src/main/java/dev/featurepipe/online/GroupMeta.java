package dev.featurepipe.online;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.ops.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A group's {@code meta} item as a reader needs it: the features in their order with their types,
 * the vector's layout, and what was last published. Parsed from the JSON {@link MetaWriter} writes.
 */
public record GroupMeta(
    String group, int version, String entity, String keyPrefix, List<Feature> features, Optional<Vector> vector,
    SortedMap<String, Double> driftThresholds, String latestAsOf, String runId, long rowCount,
    String qualityStatus) {

  /** One named feature: its attribute name, position in the group's order, and Iceberg type text. */
  public record Feature(String name, int position, String type) {}

  /** The packed vector: its attribute, length, and the label of each position. */
  public record Vector(String attribute, String encoding, int length, List<String> order) {
    public Vector {
      order = List.copyOf(order);
    }
  }

  public GroupMeta {
    features = List.copyOf(features);
    driftThresholds = new TreeMap<>(driftThresholds);
  }

  public String versionedName() {
    return group + "_v" + version;
  }

  static GroupMeta parse(String versionedGroup, String json) {
    JsonNode m = Json.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class);
    List<Feature> features = new ArrayList<>();
    int i = 0;
    for (JsonNode f : m.path("features")) {
      features.add(new Feature(f.path("name").asText(), f.path("position").asInt(i), f.path("type").asText()));
      i++;
    }
    Optional<Vector> vector = Optional.empty();
    JsonNode v = m.get("vector");
    if (v != null && !v.isNull()) {
      List<String> order = new ArrayList<>();
      v.path("order").forEach(x -> order.add(x.asText()));
      vector = Optional.of(new Vector(v.path("attribute").asText(), v.path("encoding").asText(), v.path("length").asInt(),
          order));
      if (!"float32-le".equals(vector.get().encoding()) || vector.get().length() != order.size()) {
        throw new FeatureStoreException("meta of " + versionedGroup + " describes a vector this reader cannot"
            + " decode: encoding " + vector.get().encoding() + ", length " + vector.get().length() + " for "
            + order.size() + " labels");
      }
    }
    TreeMap<String, Double> drift = new TreeMap<>();
    m.path("drift_thresholds").fields().forEachRemaining(e -> drift.put(e.getKey(), e.getValue().asDouble()));
    return new GroupMeta(m.path("group").asText(), m.path("version").asInt(), m.path("entity").asText(),
        m.path("key_prefix").asText(), features, vector, drift, m.path("latest_as_of").asText(),
        m.path("run_id").asText(), m.path("row_count").asLong(), m.path("quality_status").asText());
  }
}
