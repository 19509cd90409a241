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
public record SourceSchema(String ref, String subject, int version, List<Field> fields, String definition) {

  /** {@code users.v1}: the subject (a source-like name) and a version, both in the file name. */
  public static final Pattern REF = Pattern.compile("([a-z][a-z0-9_]{0,62})\\.v([1-9][0-9]{0,5})");

  /** The Avro field property marking a field a later version added (see {@link Field#added}). */
  public static final String ADDED = "featurepipe.added";

  /**
   * One column: {@code type} is a {@link FieldTypes} name. {@code added}: a later version added it
   * (Avro property {@code "featurepipe.added": true}); a files source's Bronze puts such fields
   * after its position column, so that column's field id never changes, even once the config names
   * the later version.
   */
  public record Field(String name, String type, boolean required, boolean added) {

    public Field(String name, String type, boolean required) {
      this(name, type, required, false);
    }
  }

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
        fields.add(new Field(f.name(), name, required, Boolean.TRUE.equals(f.getObjectProp(ADDED))));
      }
    }
    if (fields.isEmpty() && problems.isEmpty()) {
      problems.add(at + ": schemas/" + fileName(ref) + " must declare at least one field");
    }
    if (!problems.isEmpty()) {
      throw new ConfigInvalid(String.join("\n", problems));
    }
    return new SourceSchema(ref, m.group(1), Integer.parseInt(m.group(2)), fields,
        new String(avsc, StandardCharsets.UTF_8));
  }

  /** The reference of this subject's version {@code n}. */
  public String ref(int n) {
    return subject + ".v" + n;
  }

  /**
   * Version {@code version() + 1}: this schema's definition (name, namespace, docs, fields) with
   * {@code added} appended, each optional ({@code ["null", T]}, default null), which is what makes
   * it backward compatible: data written with this version reads as the next with nulls there.
   */
  public SourceSchema withOptionalFields(List<Field> added, String doc) {
    com.fasterxml.jackson.databind.node.ObjectNode avro;
    try {
      avro = (com.fasterxml.jackson.databind.node.ObjectNode) dev.featurepipe.ops.Json.mapper().readTree(definition);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("[BUG] " + ref + " was parsed once, so it is JSON", e);
    }
    com.fasterxml.jackson.databind.node.ArrayNode list = (com.fasterxml.jackson.databind.node.ArrayNode) avro.get("fields");
    for (Field f : added) {
      com.fasterxml.jackson.databind.node.ObjectNode field = list.addObject().put("name", f.name());
      field.putArray("type").add("null").add(avroType(f.type()));
      field.putNull("default");
      field.put("doc", doc);
      field.put(ADDED, true);
    }
    String next = ref(version + 1);
    String text;
    try {
      text = dev.featurepipe.ops.Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(avro) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("[BUG] cannot write an Avro schema", e);
    }
    return parse("schema " + next, next, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The Avro type of a {@link FieldTypes} name, as JSON (a name or a logical-type object). */
  static com.fasterxml.jackson.databind.JsonNode avroType(String type) {
    com.fasterxml.jackson.databind.node.JsonNodeFactory json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
    Matcher d = FieldTypes.DECIMAL.matcher(type);
    if (d.matches()) {
      return json.objectNode().put("type", "bytes").put("logicalType", "decimal")
          .put("precision", Integer.parseInt(d.group(1))).put("scale", Integer.parseInt(d.group(2)));
    }
    return switch (type) {
      case "string", "int", "long", "double", "boolean" -> json.textNode(type);
      case "date" -> json.objectNode().put("type", "int").put("logicalType", "date");
      case "timestamptz" -> json.objectNode().put("type", "long").put("logicalType", "timestamp-micros");
      default -> throw new IllegalArgumentException("[BUG] no Avro type for " + type);
    };
  }

  /** The Avro parsing canonical form's SHA-256 (docs and defaults aside), as Glue and Confluent compare schemas. */
  public String fingerprint() {
    Schema avro = new Schema.Parser().parse(definition);
    return dev.featurepipe.ops.Hashing.sha256Hex(
        org.apache.avro.SchemaNormalization.toParsingForm(avro).getBytes(StandardCharsets.UTF_8));
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
