package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.Set;

/**
 * Reads a CloudFormation YAML template into JSON, turning the short-form intrinsic tags ({@code
 * !Ref X}, {@code !GetAtt X.Attr}, {@code !Sub ...}) into their long forms ({@code {"Ref": "X"}},
 * {@code {"Fn::GetAtt": ["X", "Attr"]}}, ...). Jackson's YAML parser reports a node's tag through
 * {@code getTypeId()}, so no second YAML library is needed.
 */
final class CfnYaml {

  /** CloudFormation's short-form tags; all but Ref and Condition take an {@code Fn::} prefix. */
  private static final Set<String> TAGS =
      Set.of(
          "Ref", "Condition", "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select",
          "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "ToJsonString", "Length");

  private static final YAMLFactory YAML = new YAMLFactory();

  private CfnYaml() {}

  static JsonNode read(String yaml) throws IOException {
    try (JsonParser parser = YAML.createParser(yaml)) {
      if (parser.nextToken() == null) {
        return Json.object();
      }
      return value(parser);
    }
  }

  private static JsonNode value(JsonParser parser) throws IOException {
    String tag = parser.getTypeId() instanceof String text ? text : null;
    JsonNode node =
        switch (parser.currentToken()) {
          case START_OBJECT -> {
            ObjectNode object = Json.object();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String name = parser.currentName();
              parser.nextToken();
              object.set(name, value(parser));
            }
            yield object;
          }
          case START_ARRAY -> {
            ArrayNode array = Json.NODES.arrayNode();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
              array.add(value(parser));
            }
            yield array;
          }
          case VALUE_STRING -> Json.NODES.textNode(parser.getText());
          case VALUE_NUMBER_INT -> Json.NODES.numberNode(parser.getBigIntegerValue());
          case VALUE_NUMBER_FLOAT -> Json.NODES.numberNode(parser.getDecimalValue());
          case VALUE_TRUE -> Json.NODES.booleanNode(true);
          case VALUE_FALSE -> Json.NODES.booleanNode(false);
          case VALUE_NULL -> Json.NODES.nullNode();
          default -> throw new IOException("unexpected YAML token " + parser.currentToken());
        };
    if (tag == null || !TAGS.contains(tag)) {
      return node;
    }
    String function = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
    JsonNode argument = node;
    if (tag.equals("GetAtt") && node.isTextual()) {
      // "!GetAtt Resource.Attribute": the first dot separates them (attributes may contain dots).
      String text = node.textValue();
      int dot = text.indexOf('.');
      ArrayNode pair = Json.NODES.arrayNode();
      pair.add(dot < 0 ? text : text.substring(0, dot));
      pair.add(dot < 0 ? "" : text.substring(dot + 1));
      argument = pair;
    }
    ObjectNode wrapped = Json.object();
    wrapped.set(function, argument);
    return wrapped;
  }
}
