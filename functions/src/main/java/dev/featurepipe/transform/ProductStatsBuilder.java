package dev.featurepipe.transform;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.ops.Hashing;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.transforms.Transforms;
import org.apache.iceberg.types.Types;

/**
 * Computes {@code product_stats} for one shard of one date: per product, counts of views, clicks,
 * add-to-carts and purchases, exact distinct users and revenue (sum of price x quantity over
 * purchases, exact in cents). Events are deduplicated by ({@code product_id}, {@code event_id}),
 * the first in Bronze order (manifest file order, then row order) winning.
 *
 * <p>A shard owns the Iceberg buckets {@code b} with {@code b % shardCount == shard} and writes one
 * file per bucket, rows sorted by product id. A bucket's file depends only on the bucket's rows,
 * never on the shard count, so any fan-out gives the same bytes.
 */
public final class ProductStatsBuilder {

  private static final Schema PROJECTION =
      ClickstreamSchema.BRONZE.select("event_id", "user_id", "product_id", "event_type", "price", "quantity");

  private final LakeStore lake;

  public ProductStatsBuilder(LakeStore lake) {
    this.lake = lake;
  }

  /** Iceberg's own bucket function (murmur3 of the UTF-8 key), the same the partition spec uses. */
  public static Function<String, Integer> bucketFunction(int buckets) {
    @SuppressWarnings("unchecked")
    var f = (org.apache.iceberg.util.SerializableFunction<Object, Integer>)
        (org.apache.iceberg.util.SerializableFunction<?, Integer>)
            Transforms.bucket(buckets).bind(Types.StringType.get());
    return f::apply;
  }

  public ShardResult build(
      String runId, LocalDate dt, FeatureGroupConfig group, PartitionManifest bronze, int shard,
      int shardCount, String inputFingerprint) {
    Function<String, Integer> bucketOf = bucketFunction(group.buckets());
    Map<Integer, Map<String, Agg>> byBucket = new HashMap<>();
    Set<String> seenEvents = new HashSet<>();
    long inputRows = 0;
    long duplicates = 0;
    for (FileEntry file : bronze.files()) {
      for (Record row : ParquetFiles.read(verified(file), PROJECTION)) {
        String productId = (String) row.getField("product_id");
        int bucket = bucketOf.apply(productId);
        if (bucket % shardCount != shard) {
          continue;
        }
        inputRows++;
        // Keyed by product too: a duplicate is a replay of the same event for the same product, and
        // the decision must not depend on which shard sees which product.
        if (!seenEvents.add(productId + '\u0000' + row.getField("event_id"))) {
          duplicates++;
          continue;
        }
        Agg agg = byBucket.computeIfAbsent(bucket, b -> new HashMap<>())
            .computeIfAbsent(productId, p -> new Agg());
        agg.add((String) row.getField("event_type"), (String) row.getField("user_id"),
            (BigDecimal) row.getField("price"), (Integer) row.getField("quantity"));
      }
    }

    Schema schema = ProductStatsSchema.silver(group);
    List<BucketFile> files = new ArrayList<>();
    long entities = 0;
    for (Map.Entry<Integer, Map<String, Agg>> bucket : new TreeMap<>(byBucket).entrySet()) {
      TreeMap<String, Agg> sorted = new TreeMap<>(bucket.getValue());
      List<Record> rows = new ArrayList<>(sorted.size());
      for (Map.Entry<String, Agg> e : sorted.entrySet()) {
        rows.add(toRecord(schema, group, dt, e.getKey(), e.getValue()));
      }
      byte[] parquet = ParquetFiles.write(schema, rows);
      String key = LakeLayout.silverFile(group.name(), group.version(), dt, ProductStatsSchema.ENTITY,
          bucket.getKey(), Hashing.sha256Hex(parquet));
      files.add(new BucketFile(bucket.getKey(), lake.put(key, parquet, rows.size(), "application/vnd.apache.parquet")));
      entities += rows.size();
    }
    ShardResult result = new ShardResult(group.versionedName(), shard, shardCount, inputRows, duplicates,
        entities, files, inputFingerprint);
    lake.putJson(LakeLayout.transformResult(runId, group.versionedName(), shard, shardCount), result);
    return result;
  }

  private byte[] verified(FileEntry file) {
    byte[] bytes = lake.get(file.key());
    String actual = Hashing.sha256Hex(bytes);
    if (!actual.equals(file.sha256())) {
      throw new IllegalStateException("s3://" + lake.bucket() + "/" + file.key() + " has SHA-256 " + actual
          + " but its manifest says " + file.sha256() + "; the partition was changed outside the pipeline, rerun its extract");
    }
    return bytes;
  }

  private static Record toRecord(Schema schema, FeatureGroupConfig group, LocalDate dt, String productId, Agg agg) {
    GenericRecord r = GenericRecord.create(schema);
    r.setField("dt", dt);
    r.setField(ProductStatsSchema.ENTITY, productId);
    for (String feature : group.features()) {
      r.setField(feature, switch (feature) {
        case "views" -> agg.views;
        case "clicks" -> agg.clicks;
        case "add_to_carts" -> agg.addToCarts;
        case "purchases" -> agg.purchases;
        case "distinct_users" -> (long) agg.users.size();
        case "revenue" -> BigDecimal.valueOf(agg.revenueCents, 2);
        default -> throw new IllegalStateException("[BUG] feature " + feature + " passed config validation");
      });
    }
    return r;
  }

  /** Per-product partial aggregate: all exact (longs, a set), so merge order cannot matter. */
  static final class Agg {
    long views;
    long clicks;
    long addToCarts;
    long purchases;
    long revenueCents;
    final Set<String> users = new HashSet<>();

    void add(String eventType, String userId, BigDecimal price, int quantity) {
      users.add(userId);
      switch (eventType) {
        case "view" -> views++;
        case "click" -> clicks++;
        case "add_to_cart" -> addToCarts++;
        case "purchase" -> {
          purchases++;
          long cents = price.movePointRight(2).longValueExact();
          revenueCents = Math.addExact(revenueCents, Math.multiplyExact(cents, quantity));
        }
        default -> throw new IllegalStateException("[BUG] Bronze holds unknown event_type " + eventType);
      }
    }
  }
}
