package dev.featurepipe.extract;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.featurepipe.schema.SchemaFingerprint;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * Bronze schema of source {@code clickstream_event_v1}. Field ids are fixed: Parquet readers and
 * later schema versions match columns by id.
 */
public final class ClickstreamSchema {

  public static final String NAME = "clickstream_event_v1";

  public static final Schema BRONZE =
      new Schema(
          required(1, "event_id", Types.StringType.get()),
          required(2, "event_time", Types.TimestampType.withZone()),
          required(3, "user_id", Types.StringType.get()),
          required(4, "product_id", Types.StringType.get()),
          required(5, "event_type", Types.StringType.get()),
          optional(6, "price", Types.DecimalType.of(12, 2)),
          required(7, "quantity", Types.IntegerType.get()),
          optional(8, "session_id", Types.StringType.get()),
          required(9, "_source_line", Types.LongType.get(), "1-based line number in the source object"));

  /** SHA-256 of the schema's JSON form: changes exactly when a column, type or id changes. */
  public static final String FINGERPRINT = SchemaFingerprint.of(BRONZE);

  private ClickstreamSchema() {}
}
