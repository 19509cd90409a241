package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parts of a SAM {@code template.yaml} the local runner needs: the functions (handler, timeout,
 * memory, literal environment, with {@code Globals.Function} applied) and the state machines
 * (definition file and substitutions). Short ({@code !GetAtt X.Arn}) and long ({@code Fn::GetAtt})
 * intrinsic forms are both understood.
 */
public final class SamTemplate {

  /** CloudFormation's defaults for a function without Timeout / MemorySize. */
  private static final int DEFAULT_TIMEOUT_SECONDS = 3;

  private static final int DEFAULT_MEMORY_MB = 128;

  private final SortedMap<String, FunctionSpec> functions;
  private final SortedMap<String, StateMachineSpec> stateMachines;

  private SamTemplate(SortedMap<String, FunctionSpec> functions, SortedMap<String, StateMachineSpec> stateMachines) {
    this.functions = Collections.unmodifiableSortedMap(functions);
    this.stateMachines = Collections.unmodifiableSortedMap(stateMachines);
  }

  /**
   * Reads and checks the template.
   *
   * @throws SamTemplateException listing every problem (one line each), or when the file cannot be
   *     read or is not YAML
   */
  public static SamTemplate load(Path templateYaml) {
    JsonNode root;
    try {
      root = CfnYaml.read(Files.readString(templateYaml));
    } catch (IOException e) {
      throw new SamTemplateException("cannot read SAM template " + templateYaml + ": " + e.getMessage(), e);
    }
    Path folder = templateYaml.toAbsolutePath().getParent();
    List<String> problems = new ArrayList<>();
    SortedMap<String, String> parameterDefaults = new TreeMap<>();
    for (Map.Entry<String, JsonNode> parameter : root.path("Parameters").properties()) {
      JsonNode value = parameter.getValue().get("Default");
      if (value != null && value.isValueNode()) {
        parameterDefaults.put(parameter.getKey(), value.asText());
      }
    }
    JsonNode globals = root.path("Globals").path("Function");
    SortedMap<String, FunctionSpec> functions = new TreeMap<>();
    SortedMap<String, String> aliases = new TreeMap<>();
    JsonNode resources = root.path("Resources");
    for (Map.Entry<String, JsonNode> resource : resources.properties()) {
      if (resource.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
        String id = resource.getKey();
        JsonNode properties = resource.getValue().path("Properties");
        JsonNode alias = properties.has("AutoPublishAlias") ? properties.get("AutoPublishAlias") : globals.get("AutoPublishAlias");
        aliases.put(id, alias != null && alias.isTextual() ? alias.textValue() : "");
        FunctionSpec spec = function(id, properties, globals, parameterDefaults, problems);
        if (spec != null) {
          functions.put(id, spec);
        }
      }
    }
    SortedMap<String, StateMachineSpec> stateMachines = new TreeMap<>();
    for (Map.Entry<String, JsonNode> resource : resources.properties()) {
      if (resource.getValue().path("Type").asText().equals("AWS::Serverless::StateMachine")) {
        String id = resource.getKey();
        JsonNode properties = resource.getValue().path("Properties");
        JsonNode uri = properties.get("DefinitionUri");
        if (uri == null || !uri.isTextual()) {
          problems.add(
              "state machine '" + id + "': only a DefinitionUri that is a local file path is supported by the local runner");
          continue;
        }
        SortedMap<String, Object> substitutions = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : properties.path("DefinitionSubstitutions").properties()) {
          substitutions.put(entry.getKey(), Json.MAPPER.convertValue(entry.getValue(), Object.class));
        }
        stateMachines.put(
            id,
            new StateMachineSpec(id, folder.resolve(uri.textValue()).normalize(), substitutions, aliases, parameterDefaults));
      }
    }
    if (!problems.isEmpty()) {
      throw new SamTemplateException(problems);
    }
    return new SamTemplate(functions, stateMachines);
  }

  /** Function logical id to its spec, in logical id order. */
  public SortedMap<String, FunctionSpec> functions() {
    return functions;
  }

  /** State machine logical id to its spec, in logical id order. */
  public SortedMap<String, StateMachineSpec> stateMachines() {
    return stateMachines;
  }

  private static FunctionSpec function(
      String id, JsonNode properties, JsonNode globals, Map<String, String> parameters, List<String> problems) {
    String where = "function '" + id + "'";
    JsonNode handler = properties.has("Handler") ? properties.get("Handler") : globals.get("Handler");
    if (handler == null || !handler.isTextual() || handler.textValue().isBlank()) {
      problems.add(where + ": Handler is required (a literal pkg.Class::method) for the local runner");
      return null;
    }
    Integer timeout = integer(where, "Timeout", properties, globals, parameters, DEFAULT_TIMEOUT_SECONDS, problems);
    Integer memory = integer(where, "MemorySize", properties, globals, parameters, DEFAULT_MEMORY_MB, problems);
    SortedMap<String, String> environment = new TreeMap<>();
    literalVariables(globals, environment);
    literalVariables(properties, environment);
    if (timeout == null || memory == null) {
      return null;
    }
    return new FunctionSpec(id, handler.textValue(), timeout, memory, environment);
  }

  /**
   * A function property that may be a literal, a {@code !Ref} to a template parameter with a
   * default, or absent (then the global, then CloudFormation's default).
   */
  private static Integer integer(
      String where, String property, JsonNode properties, JsonNode globals, Map<String, String> parameters, int fallback,
      List<String> problems) {
    JsonNode value = properties.has(property) ? properties.get(property) : globals.get(property);
    if (value == null) {
      return fallback;
    }
    String text = null;
    if (value.isNumber() || value.isTextual()) {
      text = value.asText();
    } else if (value.path("Ref").isTextual()) {
      text = parameters.get(value.get("Ref").textValue());
    }
    try {
      if (text != null) {
        return Integer.parseInt(text.trim());
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(
        where + ": " + property + " must be a number or a !Ref to a parameter with a numeric default, got " + value);
    return null;
  }

  /** Environment.Variables entries that are literals; intrinsics are left out. */
  private static void literalVariables(JsonNode properties, SortedMap<String, String> environment) {
    for (Map.Entry<String, JsonNode> variable : properties.path("Environment").path("Variables").properties()) {
      JsonNode value = variable.getValue();
      if (value.isValueNode() && !value.isNull()) {
        environment.put(variable.getKey(), value.asText());
      } else {
        environment.remove(variable.getKey());
      }
    }
  }
}
