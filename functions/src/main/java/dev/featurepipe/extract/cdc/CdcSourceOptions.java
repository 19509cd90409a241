package dev.featurepipe.extract.cdc;

import dev.featurepipe.extract.FieldTypes;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.extract.ConnectorOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The {@code options} of a {@code kind: cdc} source, validated once: every rule broken is reported
 * together, one line each, as {@code sources[<id>].options.<field>: <rule>, got <value>}.
 *
 * <p>{@code dms_csv} rows are {@code Op, [position_column,] fields...} with no header, the layout AWS
 * DMS writes with {@code TimestampColumnName} set; {@code debezium_json} rows are envelopes whose
 * position is read at {@code position_pointer}.
 *
 * <p>{@code expect_changes_daily} (default false): a day with no change files is a quiet table, an
 * empty change log whose end-of-day state equals the day before. Set it for a table that changes
 * every day, so that a missing delivery is treated as the source being down (wait, then PARTIAL).
 */
public record CdcSourceOptions(
    String sourceId,
    String prefix,
    String format,
    String positionColumn,
    String positionPointer,
    String positionType,
    List<String> key,
    List<Field> fields,
    boolean expectChangesDaily) {

  static final List<String> FORMATS = List.of("dms_csv", "debezium_json");

  static final List<String> POSITION_TYPES = List.of("long", "string");


  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  static final String TYPES = "string, int, long, double, boolean, date, timestamptz, decimal(p,s)";

  /** Debezium's PostgreSQL and MySQL connectors both put a commit-ordered position here. */
  static final String POSITION_POINTER_DEFAULT = "/source/lsn";

  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  /** One table column, in the order DMS writes it. */
  public record Field(String name, String type, boolean required) {

    /** The Iceberg type, or null when {@code type} names none (reported by validation). */
    public Type icebergType() {
      return FieldTypes.icebergType(type);
    }
  }

  private record RawField(
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty(value = "type", required = true) String type,
      @JsonProperty("required") Boolean required) {}

  private record Raw(
      @JsonProperty(value = "prefix", required = true) String prefix,
      @JsonProperty(value = "format", required = true) String format,
      @JsonProperty("position_column") String positionColumn,
      @JsonProperty("position_pointer") String positionPointer,
      @JsonProperty("position_type") String positionType,
      @JsonProperty(value = "key", required = true) List<String> key,
      @JsonProperty(value = "fields", required = true) List<RawField> fields,
      @JsonProperty("expect_changes_daily") Boolean expectChangesDaily) {}

  public CdcSourceOptions {
    key = key == null ? List.of() : List.copyOf(key);
    fields = fields == null ? List.of() : List.copyOf(fields);
    List<String> out = new ArrayList<>();
    String at = "sources[" + sourceId + "].options.";
    ConnectorOptions.checkPrefix(out, at, prefix);
    ConnectorOptions.checkOneOf(out, at + "format", FORMATS, format);
    ConnectorOptions.checkOneOf(out, at + "position_type", POSITION_TYPES, positionType);
    if ("debezium_json".equals(format)) {
      if (positionColumn != null) {
        out.add(at + "position_column: only applies to format dms_csv, got " + positionColumn);
      }
      if (positionPointer == null || !positionPointer.startsWith("/") || !validPointer(positionPointer)) {
        out.add(at + "position_pointer: must be a JSON pointer starting with /, got " + positionPointer);
      }
    }
    if ("dms_csv".equals(format)) {
      if (positionPointer != null) {
        out.add(at + "position_pointer: only applies to format debezium_json, got " + positionPointer);
      }
      if (positionColumn != null && !NAME.matcher(positionColumn).matches()) {
        out.add(at + "position_column: must match " + NAME.pattern() + ", got " + positionColumn);
      }
      if (positionColumn == null && !"string".equals(positionType)) {
        // Without a position column the position is the object key and line, which only sorts as text.
        out.add(at + "position_type: must be string when position_column is absent, got " + positionType);
      }
    }
    if (fields.isEmpty()) {
      out.add(at + "fields: must list at least one field, got []");
    }
    TreeSet<String> names = new TreeSet<>();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      String fat = at + "fields[" + i + "].";
      if (f.name() == null || !NAME.matcher(f.name()).matches()) {
        out.add(fat + "name: must match " + NAME.pattern() + ", got " + f.name());
      } else if (!names.add(f.name())) {
        out.add(fat + "name: must be unique, got a second " + f.name());
      }
      if (f.icebergType() == null) {
        out.add(fat + "type: must be one of " + TYPES + " (1 <= p <= 38, s <= p), got " + f.type());
      }
    }
    if (key.isEmpty()) {
      out.add(at + "key: must name at least one field, got []");
    }
    for (int i = 0; i < key.size(); i++) {
      if (!names.contains(key.get(i))) {
        out.add(at + "key[" + i + "]: must name a field in fields, got " + key.get(i));
      } else if (key.indexOf(key.get(i)) != i) {
        out.add(at + "key[" + i + "]: must be unique, got a second " + key.get(i));
      }
    }
    if (!out.isEmpty()) {
      throw new ConfigInvalid(String.join("\n", out));
    }
  }

  /** Binds and validates a source's {@code options} node. */
  public static CdcSourceOptions parse(String sourceId, JsonNode options) {
    Raw raw = ConnectorOptions.bind(STRICT, sourceId, "cdc", options, Raw.class);
    List<Field> fields = new ArrayList<>();
    if (raw.fields() != null) {
      for (RawField f : raw.fields()) {
        fields.add(new Field(f.name(), f.type(), Boolean.TRUE.equals(f.required())));
      }
    }
    String pointer = raw.positionPointer() == null && "debezium_json".equals(raw.format())
        ? POSITION_POINTER_DEFAULT
        : raw.positionPointer();
    String positionType = raw.positionType() != null ? raw.positionType()
        : "dms_csv".equals(raw.format()) && raw.positionColumn() == null ? "string" : "long";
    return new CdcSourceOptions(sourceId, raw.prefix(), raw.format(), raw.positionColumn(), pointer, positionType,
        raw.key(), fields, Boolean.TRUE.equals(raw.expectChangesDaily()));
  }

  JsonPointer pointer() {
    return JsonPointer.compile(positionPointer);
  }

  private static boolean validPointer(String p) {
    try {
      JsonPointer.compile(p);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
