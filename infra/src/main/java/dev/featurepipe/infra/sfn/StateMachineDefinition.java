package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed and validated Amazon States Language definition (JSONPath flavour). Everything the local
 * runner cannot execute exactly as AWS would is rejected here, at load time, rather than halfway
 * through a run.
 */
public final class StateMachineDefinition {

  /** The {@code ${Name}} placeholders of {@code DefinitionSubstitutions}. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

  private final Model.Body body;
  private final Integer timeoutSeconds;

  private StateMachineDefinition(Model.Body body, Integer timeoutSeconds) {
    this.body = body;
    this.timeoutSeconds = timeoutSeconds;
  }

  /**
   * Substitutes {@code ${Name}} placeholders textually (as CloudFormation does with
   * DefinitionSubstitutions), then parses and validates the definition.
   *
   * @throws AslDefinitionException listing every problem, one per line
   */
  public static StateMachineDefinition parse(String aslJson, Map<String, String> definitionSubstitutions) {
    Objects.requireNonNull(aslJson, "aslJson");
    Objects.requireNonNull(definitionSubstitutions, "definitionSubstitutions");
    List<String> missing = unresolvedPlaceholders(aslJson, definitionSubstitutions);
    if (!missing.isEmpty()) {
      throw new AslDefinitionException(missing);
    }
    Matcher matcher = PLACEHOLDER.matcher(aslJson);
    String substituted = matcher.replaceAll(m -> Matcher.quoteReplacement(definitionSubstitutions.get(m.group(1))));
    JsonNode root;
    try {
      root = Json.parse(substituted);
    } catch (IOException e) {
      throw new AslDefinitionException(List.of("definition: not valid JSON: " + e.getMessage()));
    }
    DefinitionParser parser = new DefinitionParser();
    Model.Body body = parser.parse(root);
    if (!parser.violations().isEmpty()) {
      throw new AslDefinitionException(parser.violations());
    }
    return new StateMachineDefinition(body, parser.executionTimeoutSeconds());
  }

  Model.Body body() {
    return body;
  }

  /** The top-level TimeoutSeconds: the execution fails with States.Timeout past it. Null when absent. */
  Integer timeoutSeconds() {
    return timeoutSeconds;
  }

  /**
   * One line per placeholder without a substitution, naming the state and field where it is used
   * when the unsubstituted text is valid JSON (it need not be: a placeholder may stand for a number).
   */
  private static List<String> unresolvedPlaceholders(String aslJson, Map<String, String> substitutions) {
    List<String> names = new ArrayList<>();
    Matcher matcher = PLACEHOLDER.matcher(aslJson);
    while (matcher.find()) {
      if (!substitutions.containsKey(matcher.group(1)) && !names.contains(matcher.group(1))) {
        names.add(matcher.group(1));
      }
    }
    if (names.isEmpty()) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    JsonNode raw = null;
    try {
      raw = Json.parse(aslJson);
    } catch (IOException e) {
      // Not JSON before substitution; report without locations.
    }
    for (String name : names) {
      List<String> locations = new ArrayList<>();
      if (raw != null) {
        locate(raw, "${" + name + "}", null, "", false, locations);
      }
      if (locations.isEmpty()) {
        lines.add("definition: placeholder '${" + name + "}' has no definition substitution");
      }
      for (String location : locations) {
        lines.add(location + " uses placeholder '${" + name + "}', which has no definition substitution");
      }
    }
    return lines;
  }

  private static void locate(
      JsonNode node, String placeholder, String state, String field, boolean statesMap, List<String> out) {
    if (node.isTextual()) {
      if (node.textValue().contains(placeholder)) {
        out.add(
            (state == null ? "definition" : "state '" + state + "'")
                + ": field '" + (field.isEmpty() ? "(value)" : field) + "'");
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> entry : node.properties()) {
        if (statesMap) {
          locate(entry.getValue(), placeholder, entry.getKey(), "", false, out);
        } else {
          String child = field.isEmpty() ? entry.getKey() : field + "." + entry.getKey();
          if (entry.getKey().contains(placeholder)) {
            out.add((state == null ? "definition" : "state '" + state + "'") + ": field '" + child + "'");
          }
          locate(entry.getValue(), placeholder, state, child, entry.getKey().equals("States"), out);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        locate(node.get(i), placeholder, state, field + "[" + i + "]", false, out);
      }
    }
  }
}
