package dev.featurepipe.transform;

import static org.apache.iceberg.types.Types.NestedField.required;

import dev.featurepipe.config.FeatureGroupConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Silver schema of {@code product_stats}: {@code dt}, {@code product_id}, then the configured
 * features in config order. Each feature has a fixed field id, so a version that drops one keeps
 * the others' ids.
 */
public final class ProductStatsSchema {

  public static final String ENTITY = "product_id";
  /** decimal(18,2): exact money up to 10^16, summed as long cents. */
  public static final Types.DecimalType MONEY = Types.DecimalType.of(18, 2);

  private static final Map<String, Integer> FIELD_IDS =
      Map.of("views", 3, "clicks", 4, "add_to_carts", 5, "purchases", 6, "distinct_users", 7, "revenue", 8);

  private ProductStatsSchema() {}

  public static Schema silver(FeatureGroupConfig group) {
    List<Types.NestedField> fields = new ArrayList<>();
    fields.add(required(1, "dt", Types.DateType.get()));
    fields.add(required(2, ENTITY, Types.StringType.get()));
    for (String feature : group.features()) {
      fields.add(required(FIELD_IDS.get(feature), feature, type(feature)));
    }
    return new Schema(fields);
  }

  public static Type type(String feature) {
    return feature.equals("revenue") ? MONEY : Types.LongType.get();
  }

  public static PartitionSpec spec(Schema schema, FeatureGroupConfig group) {
    return PartitionSpec.builderFor(schema).identity("dt").bucket(ENTITY, group.buckets()).build();
  }

  public static SortOrder sortOrder(Schema schema) {
    return SortOrder.builderFor(schema).asc(ENTITY).build();
  }
}
