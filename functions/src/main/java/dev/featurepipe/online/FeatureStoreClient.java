package dev.featurepipe.online;

import dev.featurepipe.online.internal.Backoff;
import dev.featurepipe.online.internal.BatchGets;
import dev.featurepipe.online.internal.Deadline;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Reads features for serving: one entity ({@link #get}), many ({@link #batchGet}, 100 keys per
 * BatchGetItem, unprocessed keys sent again with backoff), or every group of one key ({@link
 * #getAll}). Items are decoded with the group's meta (feature order and types, the vector's layout),
 * which is read once per group and cached for the client's life: a group version's definition is
 * immutable, so only {@code latestAsOf} and the run fields of a cached meta can be behind (each
 * result carries its own {@code as_of} and {@code run_id}).
 *
 * <p>Thread-safe; share one per process like the DynamoDB client it wraps.
 */
public final class FeatureStoreClient {

  /** Eventually consistent reads (half the read cost); reads give up after two seconds of retries. */
  public record ReadOptions(boolean consistentRead, Duration backoffBase, Duration backoffCap, Duration timeout) {
    public static final ReadOptions DEFAULTS =
        new ReadOptions(false, Duration.ofMillis(10), Duration.ofMillis(500), Duration.ofSeconds(2));
  }

  private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d+),\\s*(\\d+)\\)");

  private final DynamoDbClient dynamo;
  private final String table;
  private final ReadOptions options;
  private final Map<String, GroupMeta> metas = new ConcurrentHashMap<>();
  private final AtomicLong seeds = new AtomicLong();

  public FeatureStoreClient(DynamoDbClient dynamo, String table) {
    this(dynamo, table, ReadOptions.DEFAULTS);
  }

  public FeatureStoreClient(DynamoDbClient dynamo, String table, ReadOptions options) {
    this.dynamo = dynamo;
    this.table = table;
    this.options = options;
  }

  /** The group's published meta, cached after the first read. */
  public GroupMeta meta(String versionedGroup) {
    return metas.computeIfAbsent(versionedGroup, this::readMeta);
  }

  /** One entity's features of a group, by entity id (e.g. {@code user-0000001}). */
  public Optional<EntityFeatures> get(String versionedGroup, String entityId) {
    return getByKey(meta(versionedGroup).keyPrefix() + entityId, versionedGroup);
  }

  /** One item by its partition key (e.g. {@code u:feat:user-0000001}) and group. */
  public Optional<EntityFeatures> getByKey(String pk, String versionedGroup) {
    GroupMeta meta = meta(versionedGroup);
    Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(pk, versionedGroup))
        .consistentRead(options.consistentRead())).item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(decode(item, meta));
  }

  /** Every group's features stored under one partition key, in sort-key order. */
  public List<EntityFeatures> getAll(String pk) {
    List<EntityFeatures> out = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse r = dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
          .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk))).exclusiveStartKey(from)
          .consistentRead(options.consistentRead()));
      for (Map<String, AttributeValue> item : r.items()) {
        out.add(decode(item, meta(item.get(OnlineItems.SK).s())));
      }
      start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
    } while (start != null);
    return out;
  }

  /**
   * Many entities of one group: BatchGetItem in requests of 100 keys (DynamoDB's limit), sending
   * unprocessed keys again. Entities without an item are absent from the result; ids sorted.
   */
  public SortedMap<String, EntityFeatures> batchGet(String versionedGroup, Collection<String> entityIds) {
    GroupMeta meta = meta(versionedGroup);
    List<String> ids = new ArrayList<>(new java.util.TreeSet<>(entityIds));
    Deadline deadline = Deadline.after(options.timeout());
    SortedMap<String, EntityFeatures> out = new TreeMap<>();
    for (int from = 0; from < ids.size(); from += BatchGets.MAX_KEYS) {
      List<Map<String, AttributeValue>> keys = new ArrayList<>();
      for (String id : ids.subList(from, Math.min(ids.size(), from + BatchGets.MAX_KEYS))) {
        keys.add(key(meta.keyPrefix() + id, versionedGroup));
      }
      BatchGets.Result r = BatchGets.get(dynamo, table, keys, null, options.consistentRead(),
          () -> new Backoff(options.backoffBase(), options.backoffCap(), deadline, seeds.incrementAndGet()),
          message -> new FeatureStoreException(message + " (read timeout " + options.timeout() + ")"));
      for (Map<String, AttributeValue> item : r.items()) {
        out.put(item.get(OnlineItems.PK).s().substring(meta.keyPrefix().length()), decode(item, meta));
      }
    }
    return out;
  }

  private GroupMeta readMeta(String versionedGroup) {
    Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
        .key(key(OnlineItems.metaKey(versionedGroup), OnlineItems.META_SK)).consistentRead(true)).item();
    AttributeValue json = item == null ? null : item.get("meta");
    if (json == null || json.s() == null) {
      throw new FeatureStoreException("group " + versionedGroup + " has no published meta item (pk "
          + OnlineItems.metaKey(versionedGroup) + ", sk meta) in " + table + "; has a run of it been published?");
    }
    return GroupMeta.parse(versionedGroup, json.s());
  }

  private static Map<String, AttributeValue> key(String pk, String sk) {
    return Map.of(OnlineItems.PK, AttributeValue.fromS(pk), OnlineItems.SK, AttributeValue.fromS(sk));
  }

  static EntityFeatures decode(Map<String, AttributeValue> item, GroupMeta meta) {
    String pk = item.get(OnlineItems.PK).s();
    LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    float[] vector = null;
    String vectorAttribute = meta.vector().map(GroupMeta.Vector::attribute).orElse(null);
    for (GroupMeta.Feature f : meta.features()) {
      AttributeValue v = item.get(f.name());
      if (v == null) {
        continue;
      }
      if (f.name().equals(vectorAttribute)) {
        vector = floats(v, meta, pk);
      } else {
        values.put(f.name(), typed(v, f.type(), meta, pk));
      }
    }
    return new EntityFeatures(pk, meta.versionedName(), LocalDate.parse(item.get(OnlineItems.AS_OF).s()),
        item.get(OnlineItems.RUN_ID).s(), values, vector);
  }

  private static float[] floats(AttributeValue v, GroupMeta meta, String pk) {
    ByteBuffer buf = v.b().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int length = meta.vector().orElseThrow().length();
    if (buf.remaining() != 4 * length) {
      throw new FeatureStoreException(pk + " in " + meta.versionedName() + ": the vector has " + buf.remaining()
          + " bytes, meta says " + length + " float32 values (" + 4 * length + " bytes)");
    }
    float[] out = new float[length];
    buf.asFloatBuffer().get(out);
    return out;
  }

  /** One attribute as the Java type its meta type names; nested values (top-k) decoded generically. */
  private static Object typed(AttributeValue v, String type, GroupMeta meta, String pk) {
    try {
      return switch (type) {
        case "long" -> new BigDecimal(v.n()).longValueExact();
        case "int" -> new BigDecimal(v.n()).intValueExact();
        case "double", "float" -> Double.parseDouble(v.n());
        case "string" -> v.s();
        case "boolean" -> v.bool();
        case "date" -> LocalDate.parse(v.s());
        default -> {
          Matcher decimal = DECIMAL.matcher(type);
          yield decimal.matches() ? new BigDecimal(v.n()).setScale(Integer.parseInt(decimal.group(2)))
              : generic(v);
        }
      };
    } catch (ArithmeticException | NullPointerException | NumberFormatException e) {
      throw new FeatureStoreException(pk + " in " + meta.versionedName() + ": attribute " + v + " is not a "
          + type + " as meta says");
    }
  }

  private static Object generic(AttributeValue v) {
    if (v.s() != null) {
      return v.s();
    }
    if (v.n() != null) {
      BigDecimal n = new BigDecimal(v.n());
      return n.stripTrailingZeros().scale() <= 0 ? (Object) n.longValueExact() : n;
    }
    if (v.bool() != null) {
      return v.bool();
    }
    if (v.hasL()) {
      return v.l().stream().map(FeatureStoreClient::generic).toList();
    }
    if (v.hasM()) {
      TreeMap<String, Object> m = new TreeMap<>();
      v.m().forEach((k, x) -> m.put(k, generic(x)));
      return m;
    }
    if (v.b() != null) {
      return v.b().asByteArray();
    }
    return null;
  }
}
