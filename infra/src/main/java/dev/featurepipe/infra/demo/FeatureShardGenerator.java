package dev.featurepipe.infra.demo;

import dev.featurepipe.catalog.CommitResult;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.transform.BucketFile;
import dev.featurepipe.transform.SilverSchemas;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * A committed Silver partition of a feature group made up without running the pipeline, for the
 * online loader's tests and benchmark: any number of entities, values seeded per entity, written as
 * the pipeline writes Silver (ParquetFiles, entity order) with the commit result LoadFeatures reads.
 * Rows are generated lazily, so a shard of millions of entities never sits in memory as records.
 */
public final class FeatureShardGenerator {

  private FeatureShardGenerator() {}

  /** {@code prod-00000042} for product_id, {@code user-00000042} for user_id: sorted as the index. */
  public static String entityId(FeatureGroupConfig group, long index) {
    String prefix = switch (group.entity()) {
      case "product_id" -> "prod";
      case "user_id" -> "user";
      default -> group.entity();
    };
    return String.format(Locale.ROOT, "%s-%08d", prefix, index);
  }

  /**
   * Writes {@code files} Silver files holding entities {@code 0..entities-1} in order (file i is
   * labelled bucket i, so shard s of n loads the files with i % n == s) and the group's commit
   * result for {@code runId}.
   */
  public static CommitResult commit(LakeStore lake, String runId, LocalDate dt, FeatureGroupConfig group,
      long entities, int files, long seed) {
    Schema schema = SilverSchemas.features(group);
    List<BucketFile> written = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      long from = entities * i / files;
      long to = entities * (i + 1) / files;
      byte[] bytes = ParquetFiles.write(schema, () -> rows(schema, group, dt, seed, from, to));
      String key = "silver/" + group.name() + "/v_" + group.version() + "/data/dt=" + dt + "/synthetic-" + i + "-"
          + Hashing.sha256Hex(bytes).substring(0, 8) + ".parquet";
      FileEntry f = lake.put(key, bytes, to - from, "application/vnd.apache.parquet");
      written.add(new BucketFile(i, f));
    }
    CommitResult commit = new CommitResult(group.versionedName(), "featurepipe." + group.versionedName(),
        dt.toString(), seed, entities, written, "featurepipe." + group.tilesName(), 0, 0, List.of(),
        "synthetic " + seed);
    lake.putJson(LakeLayout.commitResult(runId, group.versionedName()), commit);
    return commit;
  }

  private static Iterator<Record> rows(Schema schema, FeatureGroupConfig group, LocalDate dt, long seed, long from,
      long to) {
    return new Iterator<>() {
      long next = from;

      @Override
      public boolean hasNext() {
        return next < to;
      }

      @Override
      public Record next() {
        return row(schema, group, entityId(group, next), dt, seed ^ (next++ * 0x9E3779B97F4A7C15L));
      }
    };
  }

  /** One entity's row: every field of the Silver schema filled by its type from {@code seed}. */
  public static Record row(Schema schema, FeatureGroupConfig group, String entity, LocalDate dt, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    GenericRecord r = GenericRecord.create(schema);
    List<Types.NestedField> fields = schema.columns();
    r.set(0, entity);
    for (int i = 1; i < fields.size(); i++) {
      r.set(i, value(fields.get(i), group, dt, random));
    }
    return r;
  }

  private static Object value(Types.NestedField field, FeatureGroupConfig group, LocalDate dt, SplittableRandom random) {
    Type type = field.type();
    return switch (type.typeId()) {
      case DATE -> dt;
      case LONG -> (long) random.nextInt(10_000);
      case INTEGER -> random.nextInt(10_000);
      case DOUBLE -> field.isOptional() && random.nextInt(5) == 0 ? null : random.nextInt(1000) / 1000.0;
      case DECIMAL -> BigDecimal.valueOf(random.nextLong(10_000_000L), ((Types.DecimalType) type).scale());
      case STRING -> "s" + random.nextInt(1000);
      case LIST -> list(type.asListType(), group, random);
      default -> throw new IllegalArgumentException("[BUG] no generator for " + field);
    };
  }

  /** A top-k list of {value, count} structs, or the group's vector (one float per vocabulary label). */
  private static List<Object> list(Types.ListType type, FeatureGroupConfig group, SplittableRandom random) {
    List<Object> out = new ArrayList<>();
    if (type.elementType().typeId() == Type.TypeID.FLOAT) {
      int n = group.spec().vector().orElseThrow().vocabulary().size();
      for (int i = 0; i < n; i++) {
        out.add(random.nextInt(1000) / 1000f);
      }
      return out;
    }
    Types.StructType struct = type.elementType().asStructType();
    int k = 1 + random.nextInt(3);
    for (int i = 0; i < k; i++) {
      GenericRecord e = GenericRecord.create(struct);
      e.set(0, "category-" + random.nextInt(8));
      e.set(1, (long) (k - i) * 10);
      out.add(e);
    }
    return out;
  }
}
