package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A compiled payload template ({@code Parameters}, {@code ItemSelector}, {@code ResultSelector},
 * {@code BatchInput}, ItemReader/ResultWriter {@code Parameters}): fields whose name ends in {@code
 * .$} take the value of a JSONPath or an intrinsic function, however deeply nested, including inside
 * arrays; everything else is copied as it is.
 */
sealed interface PayloadTemplate {

  record Literal(JsonNode value) implements PayloadTemplate {}

  record Entry(String key, PayloadTemplate value) {}

  record Obj(List<Entry> entries) implements PayloadTemplate {}

  record Arr(List<PayloadTemplate> items) implements PayloadTemplate {}

  /** {@code "field.$": "$.path"}; {@code field} is the original key, kept for error messages. */
  record Path(String field, JsonPath path) implements PayloadTemplate {}

  /** {@code "field.$": "States.Fn(...)"}. */
  record Call(String field, Intrinsic.Call call) implements PayloadTemplate {}

  /**
   * Compiles a template, adding a line to {@code violations} (naming the field path, {@code where}
   * being the template's own field name) for every problem instead of stopping at the first.
   */
  static PayloadTemplate compile(JsonNode node, String where, List<String> violations) {
    if (node.isObject()) {
      List<Entry> entries = new ArrayList<>();
      Set<String> outputKeys = new HashSet<>();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String key = field.getKey();
        JsonNode value = field.getValue();
        String outKey = key;
        PayloadTemplate compiled;
        if (key.endsWith(".$")) {
          outKey = key.substring(0, key.length() - 2);
          compiled = expression(value, key, where + "." + key, violations);
        } else {
          compiled = compile(value, where + "." + key, violations);
        }
        if (!outputKeys.add(outKey)) {
          violations.add("field '" + where + "': fields '" + outKey + "' and '" + outKey + ".$' cannot both be present");
        }
        entries.add(new Entry(outKey, compiled));
      }
      return new Obj(List.copyOf(entries));
    }
    if (node.isArray()) {
      List<PayloadTemplate> items = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        items.add(compile(node.get(i), where + "[" + i + "]", violations));
      }
      return isAllLiteral(items) ? new Literal(node) : new Arr(List.copyOf(items));
    }
    return new Literal(node);
  }

  /** Compiles the value of a {@code .$} field (or of {@code ErrorPath}/{@code CausePath}): a path or an intrinsic. */
  static PayloadTemplate expression(JsonNode value, String field, String where, List<String> violations) {
    if (!value.isTextual()) {
      violations.add("field '" + where + "': must be a JSONPath or an intrinsic function string, got " + Json.typeName(value));
      return new Literal(Json.NODES.nullNode());
    }
    String text = value.textValue();
    try {
      if (Intrinsic.looksLikeCall(text)) {
        return new Call(field, Intrinsic.parse(text));
      }
      return new Path(field, JsonPath.parse(text));
    } catch (IllegalArgumentException e) {
      violations.add("field '" + where + "': " + e.getMessage());
      return new Literal(Json.NODES.nullNode());
    }
  }

  private static boolean isAllLiteral(List<PayloadTemplate> items) {
    return items.stream().allMatch(i -> i instanceof Literal);
  }

  /**
   * Evaluates the template.
   *
   * @throws StateFailure {@code States.Runtime} when a path is missing or an intrinsic fails, with
   *     the cause AWS gives
   */
  default JsonNode evaluate(Intrinsic.Env env) throws StateFailure {
    return switch (this) {
      case Literal literal -> literal.value();
      case Obj obj -> {
        ObjectNode out = Json.object();
        for (Entry entry : obj.entries()) {
          out.set(entry.key(), entry.value().evaluate(env));
        }
        yield out;
      }
      case Arr arr -> {
        ArrayNode out = Json.NODES.arrayNode();
        for (PayloadTemplate item : arr.items()) {
          out.add(item.evaluate(env));
        }
        yield out;
      }
      case Path path -> {
        Optional<JsonNode> value = path.path().read(env.input(), env.context());
        if (value.isEmpty()) {
          JsonNode source = path.path().root() == JsonPath.Root.CONTEXT ? env.context() : env.input();
          throw new StateFailure(
              StateFailure.RUNTIME,
              "The JSONPath '" + path.path().text() + "' specified for the field '" + path.field()
                  + "' could not be found in the input '" + Json.preview(source) + "'");
        }
        yield value.get();
      }
      case Call call -> {
        try {
          yield Intrinsic.evaluate(call.call(), env);
        } catch (Intrinsic.IntrinsicException e) {
          throw new StateFailure(StateFailure.RUNTIME, e.getMessage());
        }
      }
    };
  }
}
