package dev.featurepipe.online;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.errors.ItemTooLarge;
import dev.featurepipe.online.internal.ItemSize;
import dev.featurepipe.transform.engine.FeatureGroupSpec.OutputFeature;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The DynamoDB item of one Silver feature row; same row, same item, byte for byte (attributes in a
 * sorted map, numbers in one canonical text). Named features become typed attributes (numbers N,
 * strings S, top_k a list of {value, count} maps), null ones are omitted; the vector is its float32
 * values little-endian as B, in vocabulary order (recorded in meta). An item over DynamoDB's 400 KB
 * limit is refused here, before anything is written, rather than truncated.
 */
public final class FeatureItems {

  private FeatureItems() {}

  public static Map<String, AttributeValue> item(Record row, FeatureGroupConfig group, LocalDate dt, String runId) {
    Map<String, AttributeValue> item = new TreeMap<>();
    String pk = OnlineItems.keyPrefix(group.entity()) + row.get(0);
    item.put(OnlineItems.PK, AttributeValue.fromS(pk));
    item.put(OnlineItems.SK, AttributeValue.fromS(group.versionedName()));
    List<OutputFeature> features = group.spec().outputFeatures();
    for (int i = 0; i < features.size(); i++) {
      // Feature columns follow the entity and as_of, in outputFeatures() order.
      Object value = row.get(2 + i);
      OutputFeature f = features.get(i);
      boolean vector = group.spec().vector().isPresent() && i == features.size() - 1;
      AttributeValue v = vector ? packed((List<?>) value) : attribute(value);
      if (v != null) {
        item.put(f.column(), v);
      }
    }
    item.put(OnlineItems.AS_OF, AttributeValue.fromS(dt.toString()));
    item.put(OnlineItems.RUN_ID, AttributeValue.fromS(runId));
    item.put(OnlineItems.TTL,
        AttributeValue.fromN(Long.toString(OnlineItems.ttlEpochSeconds(dt, group.onlineTtlDays()))));
    long size = ItemSize.of(item);
    if (size > ItemSize.MAX_BYTES) {
      throw new ItemTooLarge(String.format(Locale.ROOT,
          "group %s, entity %s: the item is %,d bytes, over DynamoDB's limit of %,d bytes (%s); items are never"
              + " truncated: shrink the group's definition (a smaller top-k, shorter strings, a shorter vector) in a"
              + " new version", group.versionedName(), pk, size, ItemSize.MAX_BYTES, largest(item)));
    }
    return item;
  }

  /** The three largest attributes, to say where the bytes are. */
  private static String largest(Map<String, AttributeValue> item) {
    return item.entrySet().stream()
        .sorted((a, b) -> Long.compare(ItemSize.of(Map.of(b.getKey(), b.getValue())),
            ItemSize.of(Map.of(a.getKey(), a.getValue()))))
        .limit(3)
        .map(e -> String.format(Locale.ROOT, "%s %,d bytes", e.getKey(), ItemSize.of(Map.of(e.getKey(), e.getValue()))))
        .reduce((a, b) -> a + ", " + b)
        .orElse("");
  }

  private static AttributeValue packed(List<?> floats) {
    if (floats == null) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.allocate(4 * floats.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (Object x : floats) {
      buf.putFloat((Float) x);
    }
    return AttributeValue.fromB(SdkBytes.fromByteArray(buf.array()));
  }

  private static AttributeValue attribute(Object value) {
    return switch (value) {
      case null -> null;
      case Long l -> AttributeValue.fromN(Long.toString(l));
      case Integer n -> AttributeValue.fromN(Integer.toString(n));
      case BigDecimal d -> AttributeValue.fromN(d.toPlainString());
      // Exact and finite by construction (ratios, means and stddevs of finite inputs); the shortest
      // decimal that reads back as the same double.
      case Double d -> Double.isFinite(d) ? AttributeValue.fromN(BigDecimal.valueOf(d).toPlainString()) : null;
      case Float x -> Float.isFinite(x) ? AttributeValue.fromN(new BigDecimal(Float.toString(x)).toPlainString()) : null;
      case String str -> AttributeValue.fromS(str);
      case Boolean b -> AttributeValue.fromBool(b);
      case List<?> list -> AttributeValue.fromL(list.stream().map(FeatureItems::attribute).toList());
      case Record r -> {
        Map<String, AttributeValue> m = new TreeMap<>();
        List<org.apache.iceberg.types.Types.NestedField> fields = r.struct().fields();
        for (int i = 0; i < fields.size(); i++) {
          AttributeValue v = attribute(r.get(i));
          if (v != null) {
            m.put(fields.get(i).name(), v);
          }
        }
        yield AttributeValue.fromM(m);
      }
      // Dates, times and anything else orderable: their ISO text.
      default -> AttributeValue.fromS(value.toString());
    };
  }
}
