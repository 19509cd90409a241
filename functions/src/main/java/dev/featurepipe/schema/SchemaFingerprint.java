package dev.featurepipe.schema;

import dev.featurepipe.ops.Hashing;
import java.nio.charset.StandardCharsets;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;

/** The fingerprint a Bronze manifest records for the schema its files were written with. */
public final class SchemaFingerprint {

  private SchemaFingerprint() {}

  /**
   * SHA-256 of the Iceberg schema's JSON form: it changes exactly when a column's name, type, id,
   * nullability or order changes, so two partitions with the same fingerprint are readable alike.
   */
  public static String of(Schema schema) {
    return Hashing.sha256Hex(SchemaParser.toJson(schema).getBytes(StandardCharsets.UTF_8));
  }
}
