package dev.featurepipe.transform;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.transform.engine.FeatureComputer;
import dev.featurepipe.transform.engine.Tiles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.transforms.Transforms;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * The Silver schemas of a feature group: the engine's tile and feature schemas with {@code dt} (the
 * partition date) appended last, so a stored row's first columns are exactly the engine's and it can
 * be handed back to the engine as read. Partitioned by {@code dt} and {@code bucket(entity)}.
 *
 * <p>Field ids are assigned the way Iceberg assigns them when it creates a table (fresh, in order,
 * nested fields after their parents' level), so the ids in our Parquet files are the table's ids:
 * another Iceberg reader matches columns by id.
 */
public final class SilverSchemas {

  public static final String DT = "dt";

  private SilverSchemas() {}

  /** {@code <entity>, day, rows, <feature>__<part>..., dt}. */
  public static Schema tiles(FeatureGroupConfig group) {
    return withDt(Tiles.schema(group.spec()));
  }

  /** {@code <entity>, as_of, <feature>_<window>..., [vector], dt}. */
  public static Schema features(FeatureGroupConfig group) {
    return features(group.spec());
  }

  public static Schema features(dev.featurepipe.transform.engine.FeatureGroupSpec spec) {
    return withDt(FeatureComputer.schema(spec));
  }

  private static Schema withDt(Schema engine) {
    List<Types.NestedField> fields = new ArrayList<>(engine.columns());
    fields.add(Types.NestedField.required(engine.highestFieldId() + 1, DT, Types.DateType.get(),
        "the run date whose Bronze partition this row was computed for"));
    AtomicInteger ids = new AtomicInteger();
    return TypeUtil.assignFreshIds(new Schema(fields), ids::incrementAndGet);
  }

  public static PartitionSpec partitionSpec(Schema schema, FeatureGroupConfig group) {
    return PartitionSpec.builderFor(schema).identity(DT).bucket(group.entity(), group.buckets()).build();
  }

  /** Tiles by entity then day, features by entity: the order the engine emits them in. */
  public static SortOrder sortOrder(Schema schema, FeatureGroupConfig group) {
    SortOrder.Builder b = SortOrder.builderFor(schema).asc(group.entity());
    if (schema.findField("day") != null) {
      b.asc("day");
    }
    return b.build();
  }

  /**
   * Iceberg's own bucket function (murmur3 of the key's canonical bytes), the one the partition spec
   * applies, for the entity's type; null for a null key.
   */
  public static Function<Object, Integer> bucketFunction(FeatureGroupConfig group) {
    Type type = group.spec().entity().type();
    @SuppressWarnings("unchecked")
    var f = (org.apache.iceberg.util.SerializableFunction<Object, Integer>)
        (org.apache.iceberg.util.SerializableFunction<?, Integer>)
            Transforms.bucket(group.buckets()).bind(type);
    return f::apply;
  }
}
