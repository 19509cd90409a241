package dev.featurepipe.extract.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.extract.Rejection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Converts one CDC value (CSV text, or a JSON node from a Debezium image) to the Java value Iceberg
 * generic records hold for the field's type. A copy of the rules of {@code files.FieldValues}, which
 * is package-private there and tied to that connector's field options.
 */
final class CdcValues {

  /** A value that breaks its field's rule; the rejection names the field and the rule, never the value. */
  static final class Bad extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Rejection rejection;

    Bad(String reason, String detail) {
      super(detail, null, false, false);
      this.rejection = Rejection.of(reason, detail);
    }
  }

  private CdcValues() {}

  /** {@code raw}: a String, a JsonNode, or null; {@code required} applies to null and empty non-strings. */
  static Object convert(String name, Type type, boolean required, Object raw) throws Bad {
    if (raw instanceof JsonNode n) {
      raw = n.isNull() || n.isMissingNode() ? null : n;
    }
    if (raw instanceof String s && s.isEmpty() && type.typeId() != Type.TypeID.STRING) {
      raw = null; // DMS writes NULL as an empty unquoted cell
    }
    if (raw == null) {
      if (required) {
        throw new Bad("missing_field", name + ": is required");
      }
      return null;
    }
    try {
      return switch (type.typeId()) {
        case STRING -> raw instanceof JsonNode n ? textual(n) : raw;
        case INTEGER -> raw instanceof JsonNode n && n.isIntegralNumber() && n.canConvertToInt()
            ? n.intValue() : Integer.parseInt(text(raw));
        case LONG -> raw instanceof JsonNode n && n.isIntegralNumber() && n.canConvertToLong()
            ? n.longValue() : Long.parseLong(text(raw));
        case DOUBLE -> raw instanceof JsonNode n && n.isNumber() ? n.doubleValue() : finite(Double.parseDouble(text(raw)));
        case BOOLEAN -> raw instanceof JsonNode n && n.isBoolean() ? n.booleanValue() : bool(text(raw));
        // Debezium's io.debezium.time.Date is days since the epoch.
        case DATE -> raw instanceof JsonNode n && n.isIntegralNumber() ? LocalDate.ofEpochDay(n.longValue())
            : LocalDate.parse(text(raw));
        case TIMESTAMP -> timestamp(text(raw));
        case DECIMAL -> decimal((Types.DecimalType) type, raw instanceof JsonNode n && n.isNumber()
            ? n.decimalValue() : new BigDecimal(text(raw)));
        default -> throw new IllegalStateException("[BUG] unsupported type " + type);
      };
    } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
      throw new Bad("bad_value", name + ": must be " + describe(type));
    }
  }

  static String describe(Type type) {
    return switch (type.typeId()) {
      case STRING -> "a string";
      case INTEGER -> "a 32-bit integer";
      case LONG -> "a 64-bit integer";
      case DOUBLE -> "a finite number";
      case BOOLEAN -> "true or false";
      case DATE -> "an ISO date yyyy-MM-dd or epoch days";
      case TIMESTAMP -> "an ISO-8601 timestamp with offset";
      case DECIMAL -> "a " + type + " number";
      default -> type.toString();
    };
  }

  private static String textual(JsonNode n) {
    if (n.isContainerNode()) {
      throw new NumberFormatException("not a scalar");
    }
    return n.asText();
  }

  private static String text(Object raw) {
    if (raw instanceof String s) {
      return s.strip();
    }
    if (raw instanceof JsonNode n && n.isTextual()) {
      return n.textValue().strip();
    }
    throw new NumberFormatException("not text");
  }

  private static double finite(double d) {
    if (!Double.isFinite(d)) {
      throw new NumberFormatException("not finite");
    }
    return d;
  }

  private static boolean bool(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "t", "1" -> true; // DMS writes PostgreSQL booleans as t/f and MySQL ones as 1/0
      case "false", "f", "0" -> false;
      default -> throw new NumberFormatException("not a boolean");
    };
  }

  private static OffsetDateTime timestamp(String s) {
    return OffsetDateTime.parse(s).withOffsetSameInstant(ZoneOffset.UTC);
  }

  private static BigDecimal decimal(Types.DecimalType dt, BigDecimal d) {
    // Exact or rejected: rounding a source amount would change money silently.
    BigDecimal scaled = d.setScale(dt.scale(), RoundingMode.UNNECESSARY);
    if (scaled.precision() > dt.precision()) {
      throw new ArithmeticException("precision");
    }
    return scaled;
  }
}
