package dev.featurepipe.extract;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** The column type names connector options use, and the Iceberg types they stand for. */
public final class FieldTypes {

  /** {@code decimal(p,s)}: precision and scale of at most two digits each. */
  public static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d{1,2}),\\s*(\\d{1,2})\\)");

  /** Iceberg's (and Parquet's 16-byte) largest decimal precision. */
  public static final int MAX_PRECISION = 38;

  private FieldTypes() {}

  /**
   * string, int, long, double, boolean, date, timestamptz or decimal(p,s) with 1 <= p <= 38 and s <=
   * p; null for anything else, which the caller's validation reports.
   */
  public static Type icebergType(String type) {
    if (type == null) {
      return null;
    }
    Matcher m = DECIMAL.matcher(type);
    if (m.matches()) {
      int p = Integer.parseInt(m.group(1));
      int s = Integer.parseInt(m.group(2));
      return p >= 1 && p <= MAX_PRECISION && s <= p ? Types.DecimalType.of(p, s) : null;
    }
    return switch (type) {
      case "string" -> Types.StringType.get();
      case "int" -> Types.IntegerType.get();
      case "long" -> Types.LongType.get();
      case "double" -> Types.DoubleType.get();
      case "boolean" -> Types.BooleanType.get();
      case "date" -> Types.DateType.get();
      case "timestamptz" -> Types.TimestampType.withZone();
      default -> null;
    };
  }
}
