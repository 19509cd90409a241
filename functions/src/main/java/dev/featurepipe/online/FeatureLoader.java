package dev.featurepipe.online;

import dev.featurepipe.catalog.CommitResult;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.errors.ThrottledWrite;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.transform.BucketFile;
import dev.featurepipe.transform.SilverSchemas;
import dev.featurepipe.transform.engine.FeatureGroupSpec.OutputFeature;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Loads one shard of a committed feature group into DynamoDB: one full item per entity (named
 * features, the packed float32 vector if the group has one, {@code as_of}, {@code run_id}, {@code ttl}), written with
 * BatchWriteItem in batches of 25, retrying unprocessed items with capped backoff.
 */
public final class FeatureLoader {

  /** BatchWriteItem's limit. */
  static final int BATCH = 25;
  static final int MAX_ATTEMPTS = 10;

  private final DynamoDbClient dynamo;
  private final String table;
  private final LakeStore lake;

  public FeatureLoader(DynamoDbClient dynamo, String table, LakeStore lake) {
    this.dynamo = dynamo;
    this.table = table;
    this.lake = lake;
  }

  public LoadResult load(String runId, LocalDate dt, FeatureGroupConfig group, int shard, int shardCount,
      String inputFingerprint) {
    CommitResult commit = lake.getJson(LakeLayout.commitResult(runId, group.versionedName()), CommitResult.class);
    Schema schema = SilverSchemas.features(group);
    long written = 0;
    long batches = 0;
    long retried = 0;
    long throttled = 0;
    List<WriteRequest> pending = new ArrayList<>(BATCH);
    for (BucketFile f : commit.files()) {
      if (f.bucket() % shardCount != shard) {
        continue;
      }
      byte[] bytes = lake.get(f.file().key());
      if (!Hashing.sha256Hex(bytes).equals(f.file().sha256())) {
        throw new IllegalStateException("Silver file " + f.file().key()
            + " does not match the SHA-256 its commit recorded; it was changed outside the pipeline");
      }
      for (Record row : ParquetFiles.read(bytes, schema)) {
        pending.add(WriteRequest.builder()
            .putRequest(PutRequest.builder().item(item(row, group, dt, runId)).build()).build());
        if (pending.size() == BATCH) {
          long[] stats = write(pending);
          batches++;
          retried += stats[0];
          throttled += stats[1];
          written += pending.size();
          pending.clear();
        }
      }
    }
    if (!pending.isEmpty()) {
      long[] stats = write(pending);
      batches++;
      retried += stats[0];
      throttled += stats[1];
      written += pending.size();
    }
    LoadResult result = new LoadResult(group.versionedName(), shard, shardCount, written, batches, retried, throttled,
        inputFingerprint);
    lake.putJson(LakeLayout.loadResult(runId, group.versionedName(), shard, shardCount), result);
    return result;
  }

  /**
   * The item for one Silver feature row; same row, same item, byte for byte. Named features become
   * typed attributes (numbers N, strings S, top_k a list of {value, count} maps), null ones are
   * omitted; the vector is its float32 values little-endian as B, in vocabulary order (see meta).
   */
  public static Map<String, AttributeValue> item(Record row, FeatureGroupConfig group, LocalDate dt, String runId) {
    Map<String, AttributeValue> item = new TreeMap<>();
    item.put(OnlineItems.PK, s(OnlineItems.keyPrefix(group.entity()) + row.get(0)));
    item.put(OnlineItems.SK, s(group.versionedName()));
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
    item.put(OnlineItems.AS_OF, s(dt.toString()));
    item.put(OnlineItems.RUN_ID, s(runId));
    item.put(OnlineItems.TTL, AttributeValue.fromN(Long.toString(OnlineItems.ttlEpochSeconds(dt, group.onlineTtlDays()))));
    return item;
  }

  private static AttributeValue packed(List<?> floats) {
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
      case String str -> s(str);
      case Boolean b -> AttributeValue.fromBool(b);
      case List<?> list -> AttributeValue.fromL(list.stream().map(FeatureLoader::attribute).toList());
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
      default -> s(value.toString());
    };
  }

  /** Returns {retried items, throttled requests}. */
  private long[] write(List<WriteRequest> batch) {
    List<WriteRequest> remaining = new ArrayList<>(batch);
    long retried = 0;
    long throttled = 0;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        BatchWriteItemResponse response =
            dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, remaining)));
        List<WriteRequest> unprocessed = response.unprocessedItems().getOrDefault(table, List.of());
        if (unprocessed.isEmpty()) {
          return new long[] {retried, throttled};
        }
        retried += unprocessed.size();
        remaining.clear();
        remaining.addAll(unprocessed);
      } catch (ProvisionedThroughputExceededException e) {
        throttled++;
      }
      backoff(attempt);
    }
    throw new ThrottledWrite(remaining.size() + " items to " + table + " were still unprocessed after "
        + MAX_ATTEMPTS + " attempts; the workflow retries the shard (writes are idempotent)");
  }

  /** Capped exponential backoff: 50 ms doubling to 3.2 s. Timing only, never output. */
  private static void backoff(int attempt) {
    try {
      Thread.sleep(Math.min(3_200L, 50L << attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ThrottledWrite("interrupted while backing off", e);
    }
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }
}
