package dev.featurepipe.extract.files;

import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.files.FilesSourceOptions.Field;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.DateTimeException;
import java.util.Locale;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Turns one source value (text from CSV or JSON, or a typed Parquet value) into the Java value
 * Iceberg's generic records hold for the field's type, applying the field's value map first.
 * Failures are {@link Bad} with a rejection that names the field and the rule, never the value.
 * Public because the CDC connector converts DMS text and Debezium JSON scalars with the same rules.
 */
public final class FieldValues {

  /** A value that breaks its field's rule. */
  public static final class Bad extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Rejection rejection;

    public Bad(String reason, String detail) {
      super(detail, null, false, false);
      this.rejection = Rejection.of(reason, detail);
    }

    public Rejection rejection() {
      return rejection;
    }
  }

  private final Field field;
  private final Type type;
  private final DateTimeFormatter formatter;

  FieldValues(Field field) {
    this.field = field;
    this.type = field.icebergType();
    this.formatter = field.formatter();
  }

  /** A field without a value map, with ISO-8601 dates and timestamps; {@code type} as in {@code FieldTypes}. */
  public FieldValues(String name, String type, boolean required) {
    this(new Field(name, null, type, required, null, null, false));
  }

  Field field() {
    return field;
  }

  /** {@code raw}: a String, or a typed value from Parquet or JSON (Integer, Long, Double, Boolean, ...), or null. */
  public Object convert(Object raw) throws Bad {
    if (raw instanceof String s && field.values() != null) {
      String mapped = field.values().get(s);
      if (mapped == null) {
        throw new Bad("unmapped_value", field.name() + ": must be one of the values keys " + field.values().keySet());
      }
      raw = mapped;
    }
    if (raw instanceof String s && s.isEmpty() && type.typeId() != Type.TypeID.STRING) {
      raw = null; // an empty CSV cell or "" is "no value" for every type but string
    }
    if (raw == null) {
      if (field.required()) {
        throw new Bad("missing_field", field.name() + ": is required");
      }
      return null;
    }
    try {
      return switch (type.typeId()) {
        case STRING -> raw.toString();
        case INTEGER -> raw instanceof Number n ? Math.toIntExact(exactLong(n)) : Integer.parseInt(text(raw));
        case LONG -> raw instanceof Number n ? exactLong(n) : Long.parseLong(text(raw));
        case DOUBLE -> raw instanceof Number n ? n.doubleValue() : finite(Double.parseDouble(text(raw)));
        case BOOLEAN -> raw instanceof Boolean b ? b : bool(text(raw));
        case DATE -> raw instanceof LocalDate d ? d : date(text(raw));
        case TIMESTAMP -> raw instanceof OffsetDateTime t ? t.withOffsetSameInstant(ZoneOffset.UTC) : timestamp(text(raw));
        case DECIMAL -> decimal(raw instanceof BigDecimal d ? d : raw instanceof Number n
            ? new BigDecimal(n.toString()) : new BigDecimal(text(raw)));
        default -> throw new IllegalStateException("[BUG] unsupported type " + type);
      };
    } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
      throw new Bad("bad_value", field.name() + ": must be " + describe(type, field.timestampFormat()));
    }
  }

  /** The rule a value of {@code type} must follow, for rejection details; {@code timestampFormat} may be null. */
  public static String describe(Type type, String timestampFormat) {
    return switch (type.typeId()) {
      case STRING -> "a string";
      case INTEGER -> "a 32-bit integer";
      case LONG -> "a 64-bit integer";
      case DOUBLE -> "a finite number";
      case BOOLEAN -> "true or false";
      case DATE -> timestampFormat == null ? "an ISO date yyyy-MM-dd" : "a date like " + timestampFormat;
      case TIMESTAMP -> timestampFormat == null
          ? "an ISO-8601 timestamp with offset"
          : "a timestamp like " + timestampFormat;
      case DECIMAL -> "a " + type + " number";
      default -> type.toString();
    };
  }

  private static String text(Object raw) {
    if (raw instanceof String s) {
      return s.strip();
    }
    throw new NumberFormatException("not text: " + raw.getClass().getSimpleName());
  }

  private static long exactLong(Number n) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    return new BigDecimal(n.toString()).longValueExact();
  }

  private static double finite(double d) {
    if (!Double.isFinite(d)) {
      throw new NumberFormatException("not finite");
    }
    return d;
  }

  private static boolean bool(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new NumberFormatException("not a boolean");
    };
  }

  private LocalDate date(String s) {
    return formatter == null ? LocalDate.parse(s) : LocalDate.parse(s, formatter);
  }

  private OffsetDateTime timestamp(String s) {
    if (formatter == null) {
      return OffsetDateTime.parse(s).withOffsetSameInstant(ZoneOffset.UTC);
    }
    // The formatter carries zone UTC, so patterns without an offset ("... 'UTC'") read as UTC.
    return Instant.from(formatter.parse(s)).atOffset(ZoneOffset.UTC);
  }

  private BigDecimal decimal(BigDecimal d) {
    Types.DecimalType dt = (Types.DecimalType) type;
    // Exact or rejected: rounding a source amount would change money silently.
    BigDecimal scaled = d.setScale(dt.scale(), RoundingMode.UNNECESSARY);
    if (scaled.precision() > dt.precision()) {
      throw new ArithmeticException("precision");
    }
    return scaled;
  }
}
