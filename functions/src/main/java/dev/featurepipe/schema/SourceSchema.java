package dev.featurepipe.schema;

import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.extract.FieldTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A source's registered schema: an Avro record schema read from {@code schemas/<subject>.v<N>.avsc}
 * beside the config, the contract Bronze is written with. Each Avro field becomes one Bronze column
 * (field ids 1.. in Avro order) with a connector type name ({@link FieldTypes}); a {@code ["null",
 * T]} union is an optional column, anything else is required.
 *
 * <p>Avro types map as: string, int, long, double, boolean; {@code int}+{@code date} to date;
 * {@code long}+{@code timestamp-micros}/{@code timestamp-millis} (instants, UTC) to timestamptz;
 * {@code bytes}/{@code fixed}+{@code decimal} to decimal(p,s). Types Bronze cannot keep exactly are
 * rejected with the fix, never coerced.
 */
public record SourceSchema(String ref, String subject, int version, List<Field> fields) {

  /** {@code users.v1}: the subject (a source-like name) and a version, both in the file name. */
  public static final Pattern REF = Pattern.compile("([a-z][a-z0-9_]{0,62})\\.v([1-9][0-9]{0,5})");

  /** One column: {@code type} is a {@link FieldTypes} name. */
  public record Field(String name, String type, boolean required) {}

  public SourceSchema {
    fields = List.copyOf(fields);
  }

  /** The file a reference names, relative to the schemas directory. */
  public static String fileName(String ref) {
    return ref + ".avsc";
  }

  /**
   * Parses {@code avsc} for reference {@code ref}; every problem is reported together, one line each,
   * prefixed with {@code at} (for example {@code sources[users].schema}).
   */
  public static SourceSchema parse(String at, String ref, byte[] avsc) {
    Matcher m = REF.matcher(ref);
    if (!m.matches()) {
      throw new ConfigInvalid(at + ": must be <subject>.v<N> (for example users.v1, read from schemas/users.v1.avsc), got "
          + ref);
    }
    Schema schema;
    try {
      schema = new Schema.Parser().parse(new String(avsc, StandardCharsets.UTF_8));
    } catch (SchemaParseException | IllegalArgumentException e) {
      throw new ConfigInvalid(at + ": schemas/" + fileName(ref) + " is not a valid Avro schema: " + e.getMessage(), e);
    }
    if (schema.getType() != Schema.Type.RECORD) {
      throw new ConfigInvalid(at + ": schemas/" + fileName(ref) + " must be an Avro record, got " + schema.getType());
    }
    List<String> problems = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      String fat = at + ": schemas/" + fileName(ref) + " field " + f.name();
      Schema type = f.schema();
      boolean required = true;
      if (type.getType() == Schema.Type.UNION) {
        List<Schema> branches = type.getTypes();
        List<Schema> nonNull = branches.stream().filter(b -> b.getType() != Schema.Type.NULL).toList();
        if (branches.size() != 2 || nonNull.size() != 1) {
          problems.add(fat + ": only [\"null\", T] unions are supported (an optional column), got " + type);
          continue;
        }
        required = false;
        type = nonNull.get(0);
      }
      String name = typeName(type, fat, problems);
      if (name != null) {
        fields.add(new Field(f.name(), name, required));
      }
    }
    if (fields.isEmpty() && problems.isEmpty()) {
      problems.add(at + ": schemas/" + fileName(ref) + " must declare at least one field");
    }
    if (!problems.isEmpty()) {
      throw new ConfigInvalid(String.join("\n", problems));
    }
    return new SourceSchema(ref, m.group(1), Integer.parseInt(m.group(2)), fields);
  }

  private static String typeName(Schema type, String at, List<String> problems) {
    LogicalType logical = type.getLogicalType();
    if (logical instanceof LogicalTypes.Decimal d) {
      if (d.getPrecision() > FieldTypes.MAX_PRECISION) {
        problems.add(at + ": decimal precision must be at most " + FieldTypes.MAX_PRECISION + ", got " + d.getPrecision());
        return null;
      }
      return "decimal(" + d.getPrecision() + "," + d.getScale() + ")";
    }
    if (logical != null) {
      return switch (logical.getName()) {
        case "date" -> "date";
        case "timestamp-micros", "timestamp-millis" -> "timestamptz";
        default -> {
          problems.add(at + ": logical type " + logical.getName() + " is not supported; use date, timestamp-micros "
              + "(an instant, kept as timestamptz) or decimal");
          yield null;
        }
      };
    }
    return switch (type.getType()) {
      case STRING -> "string";
      case INT -> "int";
      case LONG -> "long";
      case DOUBLE -> "double";
      case BOOLEAN -> "boolean";
      case FLOAT -> {
        problems.add(at + ": float is not supported; declare double (every float is exactly a double)");
        yield null;
      }
      case ENUM -> {
        problems.add(at + ": enum is not supported; declare string (and an allowed-values quality rule)");
        yield null;
      }
      default -> {
        problems.add(at + ": " + type.getType().getName() + " is not supported; Bronze columns are flat "
            + "(string, int, long, double, boolean, date, timestamp-micros, decimal)");
        yield null;
      }
    };
  }
}
