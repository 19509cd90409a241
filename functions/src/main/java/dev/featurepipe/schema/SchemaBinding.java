package dev.featurepipe.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.config.SourceConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts a registered schema into a source's options, so the connector reads exactly the columns the
 * schema declares. The schema is the contract (names, order, types, nullability); the options'
 * column list then only says how to read each column (a JDBC column needs nothing more, a REST field
 * its JSON pointer, a CSV field its header name or timestamp format). An entry may repeat {@code
 * type} or {@code required}, but only if it agrees with the schema; naming a column the schema does
 * not have is an error, so a typo never silently drops a column.
 */
public final class SchemaBinding {

  /** The options key holding a kind's column list. */
  private static final Map<String, String> LIST_KEY =
      Map.of("jdbc", "columns", "s3_files", "fields", "rest", "fields", "cdc", "fields");

  private SchemaBinding() {}

  /** Whether sources of {@code kind} take a registered schema (s3_jsonl has its built-in one). */
  public static boolean appliesTo(String kind) {
    return LIST_KEY.containsKey(kind);
  }

  /**
   * The source with {@code schema}'s columns written into its options, in schema order; problems go to
   * {@code violations}, one line each, and the source is returned unchanged.
   */
  public static SourceConfig bind(SourceConfig source, SourceSchema schema, List<String> violations) {
    String key = LIST_KEY.get(source.kind());
    String at = "sources[" + source.id() + "].options." + key;
    ObjectNode options = source.options() != null && source.options().isObject()
        ? ((ObjectNode) source.options()).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    JsonNode declared = options.get(key);
    if (declared != null && !declared.isArray()) {
      violations.add(at + ": must be a list of per-column read settings, got " + declared.getNodeType());
      return source;
    }
    TreeMap<String, ObjectNode> byName = new TreeMap<>();
    List<String> names = schema.fields().stream().map(SourceSchema.Field::name).toList();
    int before = violations.size();
    for (int i = 0; declared != null && i < declared.size(); i++) {
      JsonNode entry = declared.get(i);
      String eat = at + "[" + i + "]";
      JsonNode name = entry.get("name");
      if (!entry.isObject() || name == null || !name.isTextual()) {
        violations.add(eat + ".name: required (a column of schema " + schema.ref() + ")");
        continue;
      }
      if (!names.contains(name.asText())) {
        violations.add(eat + ".name: schema " + schema.ref() + " has no column " + name.asText() + "; its columns are "
            + names);
        continue;
      }
      if (byName.put(name.asText(), (ObjectNode) entry) != null) {
        violations.add(eat + ".name: must be unique, got a second " + name.asText());
      }
    }
    ArrayNode bound = JsonNodeFactory.instance.arrayNode();
    for (SourceSchema.Field field : schema.fields()) {
      ObjectNode entry = byName.containsKey(field.name()) ? byName.get(field.name()).deepCopy()
          : JsonNodeFactory.instance.objectNode().put("name", field.name());
      String eat = at + "[" + field.name() + "]";
      JsonNode type = entry.get("type");
      if (type != null && !type.asText().equals(field.type())) {
        violations.add(eat + ".type: schema " + schema.ref() + " declares " + field.type() + ", got " + type.asText()
            + "; remove it here (the schema decides) or register " + schema.subject() + ".v" + (schema.version() + 1));
      }
      JsonNode required = entry.get("required");
      if (required != null && required.asBoolean() != field.required()) {
        violations.add(eat + ".required: schema " + schema.ref() + " declares " + (field.required() ? "required" : "optional (a [\"null\", T] union)")
            + ", got required: " + required.asText());
      }
      entry.put("type", field.type());
      entry.put("required", field.required());
      if (field.added() && source.kind().equals("s3_files")) {
        entry.put("evolved", true);
      }
      bound.add(entry);
    }
    if (violations.size() > before) {
      return source;
    }
    options.set(key, bound);
    return source.withOptions(options);
  }

  /**
   * {@code bound} (a source already bound to its config's version) reading {@code later}, a later
   * version of the same subject whose first {@code baselineFields} fields are the config's: the added
   * fields are appended to the column list, each read by its own name and optional. A files source
   * marks them {@code evolved}, so its Bronze keeps the position column's field id and numbers the
   * added ones after it (as it does when the config itself names the later version).
   */
  public static SourceConfig extend(SourceConfig bound, SourceSchema later, int baselineFields) {
    String key = LIST_KEY.get(bound.kind());
    ObjectNode options = ((ObjectNode) bound.options()).deepCopy();
    ArrayNode list = (ArrayNode) options.get(key);
    if (list == null || list.size() != baselineFields) {
      throw new IllegalStateException("[BUG] sources[" + bound.id() + "] is not bound to its config's "
          + baselineFields + " fields");
    }
    for (SourceSchema.Field f : later.fields().subList(baselineFields, later.fields().size())) {
      ObjectNode entry = list.addObject().put("name", f.name()).put("type", f.type()).put("required", f.required());
      if (f.added() && bound.kind().equals("s3_files")) {
        entry.put("evolved", true);
      }
    }
    return new SourceConfig(bound.id(), bound.kind(), bound.prefix(), later.ref(), options, bound.quality());
  }
}
