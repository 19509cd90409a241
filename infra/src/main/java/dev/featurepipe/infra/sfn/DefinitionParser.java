package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.infra.sfn.Model.And;
import dev.featurepipe.infra.sfn.Model.Body;
import dev.featurepipe.infra.sfn.Model.Catcher;
import dev.featurepipe.infra.sfn.Model.ChoiceBranch;
import dev.featurepipe.infra.sfn.Model.ChoiceState;
import dev.featurepipe.infra.sfn.Model.Compare;
import dev.featurepipe.infra.sfn.Model.FailState;
import dev.featurepipe.infra.sfn.Model.ItemBatcherSpec;
import dev.featurepipe.infra.sfn.Model.ItemReaderSpec;
import dev.featurepipe.infra.sfn.Model.MapState;
import dev.featurepipe.infra.sfn.Model.Not;
import dev.featurepipe.infra.sfn.Model.Or;
import dev.featurepipe.infra.sfn.Model.ParallelState;
import dev.featurepipe.infra.sfn.Model.PassState;
import dev.featurepipe.infra.sfn.Model.ResultWriterSpec;
import dev.featurepipe.infra.sfn.Model.Retrier;
import dev.featurepipe.infra.sfn.Model.Rule;
import dev.featurepipe.infra.sfn.Model.State;
import dev.featurepipe.infra.sfn.Model.SucceedState;
import dev.featurepipe.infra.sfn.Model.TaskState;
import dev.featurepipe.infra.sfn.Model.WaitState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns definition JSON into {@link Model}, collecting every violation (one line each, naming the
 * state and field) so one load reports everything wrong at once.
 */
final class DefinitionParser {

  static final String LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";
  static final String S3_GET_OBJECT = "arn:aws:states:::s3:getObject";
  static final String S3_PUT_OBJECT = "arn:aws:states:::s3:putObject";

  /** {@code arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]}. */
  static final Pattern LAMBDA_FUNCTION_ARN =
      Pattern.compile("arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?");

  private static final Set<String> COMMON = Set.of("Type", "Comment", "QueryLanguage");

  /**
   * Real ASL fields this runner does not implement; naming them apart from typos tells the reader
   * the definition is fine for AWS but not for local runs.
   */
  private static final Set<String> UNSUPPORTED =
      Set.of(
          "Credentials", "Assign", "Arguments", "Output", "HeartbeatSeconds", "HeartbeatSecondsPath", "Items",
          "ItemsPointer");

  private static final Map<String, Set<String>> FIELDS =
      Map.of(
          "Pass", Set.of("Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result"),
          "Task",
              Set.of(
                  "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource",
                  "TimeoutSeconds", "TimeoutSecondsPath", "Retry", "Catch"),
          "Choice", Set.of("Choices", "Default", "InputPath", "OutputPath"),
          "Wait", Set.of("Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"),
          "Succeed", Set.of("InputPath", "OutputPath"),
          "Fail", Set.of("Error", "ErrorPath", "Cause", "CausePath"),
          "Parallel",
              Set.of(
                  "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Branches",
                  "Retry", "Catch"),
          "Map",
              Set.of(
                  "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "ItemsPath",
                  "ItemSelector", "Iterator", "ItemProcessor", "MaxConcurrency", "MaxConcurrencyPath", "ItemReader",
                  "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
                  "ToleratedFailureCount", "ToleratedFailureCountPath", "Label", "Retry", "Catch"));

  private static final Set<String> STRING_OPS =
      Set.of("StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals");
  private static final Set<String> NUMERIC_OPS =
      Set.of("NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals");
  private static final Set<String> TIMESTAMP_OPS =
      Set.of(
          "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals",
          "TimestampGreaterThanEquals");
  private static final Set<String> TYPE_TESTS =
      Set.of("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp");

  private static final Set<String> LAMBDA_INVOKE_PARAMETERS =
      Set.of("FunctionName", "Payload", "Qualifier", "InvocationType", "ClientContext", "LogType");

  private final List<String> violations = new ArrayList<>();

  /** The definition's top-level TimeoutSeconds, once {@link #parse} has run; null when absent. */
  private Integer executionTimeoutSeconds;

  List<String> violations() {
    return violations;
  }

  Integer executionTimeoutSeconds() {
    return executionTimeoutSeconds;
  }

  Body parse(JsonNode root) {
    if (!root.isObject()) {
      violations.add("definition: must be a JSON object, got " + Json.typeName(root));
      return null;
    }
    for (String field : names(root)) {
      switch (field) {
        case "Comment", "StartAt", "States", "Version" -> {}
        case "QueryLanguage" -> queryLanguage(root, "definition");
        case "TimeoutSeconds" -> executionTimeoutSeconds = positiveInt(root, "TimeoutSeconds", "definition", 1);
        default -> violations.add("definition: field '" + field + "' is not a field of a state machine");
      }
    }
    return body(root, "definition");
  }

  private Body body(JsonNode node, String where) {
    JsonNode startAt = node.get("StartAt");
    JsonNode states = node.get("States");
    if (startAt == null || !startAt.isTextual()) {
      violations.add(where + ": field 'StartAt' is required and must be a string");
    }
    if (states == null || !states.isObject() || states.isEmpty()) {
      violations.add(where + ": field 'States' is required and must be a non-empty object");
      return null;
    }
    Map<String, State> parsed = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : states.properties()) {
      State state = state(entry.getKey(), entry.getValue());
      if (state != null) {
        parsed.put(entry.getKey(), state);
      }
    }
    if (startAt != null && startAt.isTextual() && !states.has(startAt.textValue())) {
      violations.add(where + ": field 'StartAt' names state '" + startAt.textValue() + "', which does not exist");
    }
    for (Map.Entry<String, JsonNode> entry : states.properties()) {
      transitions(entry.getKey(), entry.getValue(), states);
    }
    return startAt == null || !startAt.isTextual() ? null : new Body(startAt.textValue(), parsed);
  }

  /** Every {@code Next}/{@code Default}/catcher target must be a state of the same body. */
  private void transitions(String name, JsonNode state, JsonNode states) {
    if (!state.isObject()) {
      return;
    }
    List<String> targets = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    if (state.path("Next").isTextual()) {
      targets.add(state.get("Next").textValue());
      fields.add("Next");
    }
    if (state.path("Default").isTextual()) {
      targets.add(state.get("Default").textValue());
      fields.add("Default");
    }
    JsonNode choices = state.path("Choices");
    for (int i = 0; i < choices.size(); i++) {
      if (choices.get(i).path("Next").isTextual()) {
        targets.add(choices.get(i).get("Next").textValue());
        fields.add("Choices[" + i + "].Next");
      }
    }
    JsonNode catchers = state.path("Catch");
    for (int i = 0; i < catchers.size(); i++) {
      if (catchers.get(i).path("Next").isTextual()) {
        targets.add(catchers.get(i).get("Next").textValue());
        fields.add("Catch[" + i + "].Next");
      }
    }
    for (int i = 0; i < targets.size(); i++) {
      if (!states.has(targets.get(i))) {
        violations.add(
            "state '" + name + "': field '" + fields.get(i) + "' names state '" + targets.get(i)
                + "', which does not exist in the same scope");
      }
    }
  }

  private State state(String name, JsonNode node) {
    String where = "state '" + name + "'";
    if (!node.isObject()) {
      violations.add(where + ": must be a JSON object");
      return null;
    }
    JsonNode typeNode = node.get("Type");
    if (typeNode == null || !typeNode.isTextual() || !FIELDS.containsKey(typeNode.textValue())) {
      violations.add(
          where + ": field 'Type' must be one of Choice, Fail, Map, Parallel, Pass, Succeed, Task, Wait, got "
              + (typeNode == null ? "nothing" : typeNode.toString()));
      return null;
    }
    String type = typeNode.textValue();
    Set<String> allowed = FIELDS.get(type);
    for (String field : names(node)) {
      if (COMMON.contains(field) || allowed.contains(field)) {
        continue;
      }
      if (UNSUPPORTED.contains(field)) {
        violations.add(where + ": field '" + field + "' is not supported by the local runner");
      } else {
        violations.add(where + ": field '" + field + "' is not a field of a " + type + " state");
      }
    }
    if (node.has("QueryLanguage")) {
      queryLanguage(node, where);
    }
    return switch (type) {
      case "Pass" -> pass(name, node, where);
      case "Task" -> task(name, node, where);
      case "Choice" -> choice(name, node, where);
      case "Wait" -> waitState(name, node, where);
      case "Succeed" -> new SucceedState(name, ioPath(node, "InputPath", where), ioPath(node, "OutputPath", where));
      case "Fail" -> fail(name, node, where);
      case "Parallel" -> parallel(name, node, where);
      case "Map" -> map(name, node, where);
      default -> throw new IllegalStateException("[BUG] unhandled state type " + type);
    };
  }

  private void queryLanguage(JsonNode node, String where) {
    JsonNode language = node.get("QueryLanguage");
    if (!language.isTextual() || !language.textValue().equals("JSONPath")) {
      violations.add(
          where + ": field 'QueryLanguage' value " + language + " is not supported by the local runner (only JSONPath)");
    }
  }

  private PassState pass(String name, JsonNode node, String where) {
    return new PassState(
        name,
        ioPath(node, "InputPath", where),
        ioPath(node, "OutputPath", where),
        resultPath(node, "ResultPath", where),
        template(node, "Parameters", where),
        node.get("Result"),
        next(node, where));
  }

  private TaskState task(String name, JsonNode node, String where) {
    JsonNode resourceNode = node.get("Resource");
    String resource = null;
    boolean integration = false;
    if (resourceNode == null || !resourceNode.isTextual()) {
      violations.add(where + ": field 'Resource' is required and must be a string");
    } else {
      resource = resourceNode.textValue();
      if (resource.equals(LAMBDA_INVOKE)) {
        integration = true;
        lambdaInvokeParameters(node.get("Parameters"), where);
      } else if (!LAMBDA_FUNCTION_ARN.matcher(resource).matches()) {
        violations.add(
            where + ": field 'Resource' value '" + resource + "' is not supported by the local runner (supported: "
                + LAMBDA_INVOKE + " and arn:aws:lambda:<region>:<account>:function:<name>)");
      }
    }
    Integer timeout = positiveInt(node, "TimeoutSeconds", where, 1);
    JsonPath timeoutPath = referencePath(node, "TimeoutSecondsPath", where);
    if (timeout != null && timeoutPath != null) {
      violations.add(where + ": fields 'TimeoutSeconds' and 'TimeoutSecondsPath' cannot both be present");
    }
    return new TaskState(
        name,
        ioPath(node, "InputPath", where),
        ioPath(node, "OutputPath", where),
        resultPath(node, "ResultPath", where),
        template(node, "Parameters", where),
        template(node, "ResultSelector", where),
        resource,
        integration,
        timeout,
        timeoutPath,
        retriers(node, where),
        catchers(node, where),
        next(node, where));
  }

  private void lambdaInvokeParameters(JsonNode parameters, String where) {
    if (parameters == null || !parameters.isObject()) {
      violations.add(where + ": field 'Parameters' with a 'FunctionName' is required by " + LAMBDA_INVOKE);
      return;
    }
    if (!parameters.has("FunctionName") && !parameters.has("FunctionName.$")) {
      violations.add(where + ": field 'Parameters.FunctionName' is required by " + LAMBDA_INVOKE);
    }
    for (String key : names(parameters)) {
      String bare = key.endsWith(".$") ? key.substring(0, key.length() - 2) : key;
      if (!LAMBDA_INVOKE_PARAMETERS.contains(bare)) {
        violations.add(where + ": field 'Parameters." + key + "' is not a parameter of " + LAMBDA_INVOKE);
      }
    }
    JsonNode invocationType = parameters.get("InvocationType");
    if (invocationType != null && !"RequestResponse".equals(invocationType.asText())) {
      violations.add(
          where + ": field 'Parameters.InvocationType' value " + invocationType
              + " is not supported by the local runner (only RequestResponse)");
    }
  }

  private ChoiceState choice(String name, JsonNode node, String where) {
    JsonNode choices = node.get("Choices");
    List<ChoiceBranch> branches = new ArrayList<>();
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      violations.add(where + ": field 'Choices' is required and must be a non-empty array");
    } else {
      for (int i = 0; i < choices.size(); i++) {
        String at = "Choices[" + i + "]";
        JsonNode rule = choices.get(i);
        JsonNode next = rule.get("Next");
        if (next == null || !next.isTextual()) {
          violations.add(where + ": field '" + at + ".Next' is required and must be a string");
        }
        Rule parsed = rule(rule, where, at, true);
        if (parsed != null && next != null && next.isTextual()) {
          branches.add(new ChoiceBranch(parsed, next.textValue()));
        }
      }
    }
    JsonNode defaultNext = node.get("Default");
    if (defaultNext != null && !defaultNext.isTextual()) {
      violations.add(where + ": field 'Default' must be a string");
    }
    return new ChoiceState(
        name,
        ioPath(node, "InputPath", where),
        ioPath(node, "OutputPath", where),
        branches,
        defaultNext == null || !defaultNext.isTextual() ? null : defaultNext.textValue());
  }

  private Rule rule(JsonNode node, String where, String at, boolean topLevel) {
    if (!node.isObject()) {
      violations.add(where + ": field '" + at + "' must be a JSON object");
      return null;
    }
    if (!topLevel && node.has("Next")) {
      violations.add(where + ": field '" + at + ".Next' is only allowed on a top-level choice rule");
    }
    if (node.has("And") || node.has("Or")) {
      String op = node.has("And") ? "And" : "Or";
      JsonNode list = node.get(op);
      if (!list.isArray() || list.isEmpty()) {
        violations.add(where + ": field '" + at + "." + op + "' must be a non-empty array of rules");
        return null;
      }
      List<Rule> rules = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        Rule rule = rule(list.get(i), where, at + "." + op + "[" + i + "]", false);
        if (rule != null) {
          rules.add(rule);
        }
      }
      return op.equals("And") ? new And(rules) : new Or(rules);
    }
    if (node.has("Not")) {
      Rule inner = rule(node.get("Not"), where, at + ".Not", false);
      return inner == null ? null : new Not(inner);
    }
    JsonNode variable = node.get("Variable");
    if (variable == null || !variable.isTextual()) {
      violations.add(where + ": field '" + at + ".Variable' is required (or And, Or, Not)");
      return null;
    }
    JsonPath variablePath;
    try {
      variablePath = JsonPath.parse(variable.textValue());
    } catch (IllegalArgumentException e) {
      violations.add(where + ": field '" + at + ".Variable': " + e.getMessage());
      return null;
    }
    List<String> operators = new ArrayList<>();
    for (String field : names(node)) {
      if (!Set.of("Variable", "Next", "Comment").contains(field)) {
        operators.add(field);
      }
    }
    if (operators.size() != 1) {
      violations.add(
          where + ": field '" + at + "' must have exactly one comparison operator, got " + operators);
      return null;
    }
    String operator = operators.getFirst();
    JsonNode operand = node.get(operator);
    String field = where + ": field '" + at + "." + operator + "'";
    if (operator.endsWith("Path") && !operator.equals("StringMatchesPath")) {
      String base = operator.substring(0, operator.length() - 4);
      if (STRING_OPS.contains(base) || NUMERIC_OPS.contains(base) || TIMESTAMP_OPS.contains(base)
          || base.equals("BooleanEquals")) {
        if (!operand.isTextual()) {
          violations.add(field + " must be a JSONPath string");
          return null;
        }
        try {
          return new Compare(variablePath, operator, null, JsonPath.parse(operand.textValue()), null);
        } catch (IllegalArgumentException e) {
          violations.add(field + ": " + e.getMessage());
          return null;
        }
      }
    }
    if (STRING_OPS.contains(operator) && operand.isTextual()
        || NUMERIC_OPS.contains(operator) && operand.isNumber()
        || operator.equals("BooleanEquals") && operand.isBoolean()
        || TYPE_TESTS.contains(operator) && operand.isBoolean()) {
      return new Compare(variablePath, operator, operand, null, null);
    }
    if (TIMESTAMP_OPS.contains(operator)) {
      if (operand.isTextual() && Timestamps.parse(operand.textValue()) != null) {
        return new Compare(variablePath, operator, operand, null, null);
      }
      violations.add(field + " must be an RFC 3339 timestamp string, got " + operand);
      return null;
    }
    if (operator.equals("StringMatches")) {
      if (!operand.isTextual()) {
        violations.add(field + " must be a string pattern");
        return null;
      }
      try {
        return new Compare(variablePath, operator, operand, null, Timestamps.wildcard(operand.textValue()));
      } catch (IllegalArgumentException e) {
        violations.add(field + ": " + e.getMessage());
        return null;
      }
    }
    if (STRING_OPS.contains(operator) || NUMERIC_OPS.contains(operator) || operator.equals("BooleanEquals")
        || TYPE_TESTS.contains(operator)) {
      String wanted =
          STRING_OPS.contains(operator) ? "a string" : NUMERIC_OPS.contains(operator) ? "a number" : "a boolean";
      violations.add(field + " must be " + wanted + ", got " + operand);
      return null;
    }
    violations.add(where + ": field '" + at + "." + operator + "' is not a choice rule operator");
    return null;
  }

  private WaitState waitState(String name, JsonNode node, String where) {
    int present = 0;
    for (String field : List.of("Seconds", "SecondsPath", "Timestamp", "TimestampPath")) {
      present += node.has(field) ? 1 : 0;
    }
    if (present != 1) {
      violations.add(where + ": exactly one of 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath' is required");
    }
    Long seconds = null;
    if (node.has("Seconds")) {
      JsonNode value = node.get("Seconds");
      if (!value.canConvertToExactIntegral() || value.asLong() < 0) {
        violations.add(where + ": field 'Seconds' must be a non-negative integer, got " + value);
      } else {
        seconds = value.asLong();
      }
    }
    Instant timestamp = null;
    if (node.has("Timestamp")) {
      JsonNode value = node.get("Timestamp");
      timestamp = value.isTextual() ? Timestamps.parse(value.textValue()) : null;
      if (timestamp == null) {
        violations.add(where + ": field 'Timestamp' must be an RFC 3339 timestamp string, got " + value);
      }
    }
    return new WaitState(
        name,
        ioPath(node, "InputPath", where),
        ioPath(node, "OutputPath", where),
        seconds,
        referencePath(node, "SecondsPath", where),
        timestamp,
        referencePath(node, "TimestampPath", where),
        next(node, where));
  }

  private FailState fail(String name, JsonNode node, String where) {
    if (node.has("Error") && node.has("ErrorPath")) {
      violations.add(where + ": fields 'Error' and 'ErrorPath' cannot both be present");
    }
    if (node.has("Cause") && node.has("CausePath")) {
      violations.add(where + ": fields 'Cause' and 'CausePath' cannot both be present");
    }
    return new FailState(
        name,
        string(node, "Error", where),
        expression(node, "ErrorPath", where),
        string(node, "Cause", where),
        expression(node, "CausePath", where));
  }

  private ParallelState parallel(String name, JsonNode node, String where) {
    JsonNode branches = node.get("Branches");
    List<Body> bodies = new ArrayList<>();
    if (branches == null || !branches.isArray() || branches.isEmpty()) {
      violations.add(where + ": field 'Branches' is required and must be a non-empty array");
    } else {
      for (int i = 0; i < branches.size(); i++) {
        JsonNode branch = branches.get(i);
        String at = where + ": field 'Branches[" + i + "]'";
        for (String field : names(branch)) {
          if (!Set.of("StartAt", "States", "Comment").contains(field)) {
            violations.add(at + ": field '" + field + "' is not a field of a branch");
          }
        }
        Body body = body(branch, at);
        if (body != null) {
          bodies.add(body);
        }
      }
    }
    return new ParallelState(
        name,
        ioPath(node, "InputPath", where),
        ioPath(node, "OutputPath", where),
        resultPath(node, "ResultPath", where),
        template(node, "Parameters", where),
        template(node, "ResultSelector", where),
        bodies,
        retriers(node, where),
        catchers(node, where),
        next(node, where));
  }

  private MapState map(String name, JsonNode node, String where) {
    boolean hasProcessor = node.has("ItemProcessor");
    if (hasProcessor == node.has("Iterator")) {
      violations.add(where + ": exactly one of 'ItemProcessor' and 'Iterator' is required");
    }
    JsonNode processorNode = hasProcessor ? node.get("ItemProcessor") : node.get("Iterator");
    String processorField = hasProcessor ? "ItemProcessor" : "Iterator";
    boolean distributed = false;
    Body processor = null;
    if (processorNode != null && processorNode.isObject()) {
      String at = where + ": field '" + processorField + "'";
      for (String field : names(processorNode)) {
        if (!Set.of("StartAt", "States", "Comment", "ProcessorConfig").contains(field)
            || field.equals("ProcessorConfig") && !hasProcessor) {
          violations.add(at + ": field '" + field + "' is not a field of " + processorField);
        }
      }
      JsonNode config = processorNode.path("ProcessorConfig");
      String mode = config.path("Mode").asText("INLINE");
      if (!mode.equals("INLINE") && !mode.equals("DISTRIBUTED")) {
        violations.add(where + ": field 'ItemProcessor.ProcessorConfig.Mode' must be INLINE or DISTRIBUTED, got " + mode);
      }
      distributed = mode.equals("DISTRIBUTED");
      for (String field : names(config)) {
        if (field.equals("ExecutionType") && distributed) {
          String executionType = config.get("ExecutionType").asText();
          if (!executionType.equals("STANDARD") && !executionType.equals("EXPRESS")) {
            violations.add(
                where + ": field 'ItemProcessor.ProcessorConfig.ExecutionType' must be STANDARD or EXPRESS, got "
                    + executionType);
          }
        } else if (!field.equals("Mode")) {
          violations.add(where + ": field 'ItemProcessor.ProcessorConfig." + field + "' is not valid for mode " + mode);
        }
      }
      processor = body(processorNode, at);
    } else if (processorNode != null) {
      violations.add(where + ": field '" + processorField + "' must be a JSON object");
    }

    if (!distributed) {
      for (String field :
          List.of(
              "ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
              "ToleratedFailureCount", "ToleratedFailureCountPath", "Label")) {
        if (node.has(field)) {
          violations.add(where + ": field '" + field + "' requires ItemProcessor.ProcessorConfig.Mode DISTRIBUTED");
        }
      }
    }
    if (node.has("ItemSelector") && node.has("Parameters")) {
      violations.add(where + ": fields 'ItemSelector' and 'Parameters' cannot both be present");
    }
    if (node.has("ItemReader") && node.has("ItemsPath")) {
      violations.add(where + ": fields 'ItemReader' and 'ItemsPath' cannot both be present");
    }
    Integer maxConcurrency = positiveInt(node, "MaxConcurrency", where, 0);
    JsonPath maxConcurrencyPath = referencePath(node, "MaxConcurrencyPath", where);
    if (maxConcurrency != null && maxConcurrencyPath != null) {
      violations.add(where + ": fields 'MaxConcurrency' and 'MaxConcurrencyPath' cannot both be present");
    }
    Double toleratedPercentage = null;
    if (node.has("ToleratedFailurePercentage")) {
      JsonNode value = node.get("ToleratedFailurePercentage");
      if (!value.isNumber() || value.asDouble() < 0 || value.asDouble() > 100) {
        violations.add(where + ": field 'ToleratedFailurePercentage' must be a number from 0 to 100, got " + value);
      } else {
        toleratedPercentage = value.asDouble();
      }
    }
    JsonPath toleratedPercentagePath = referencePath(node, "ToleratedFailurePercentagePath", where);
    Integer toleratedCount = positiveInt(node, "ToleratedFailureCount", where, 0);
    JsonPath toleratedCountPath = referencePath(node, "ToleratedFailureCountPath", where);
    if (toleratedPercentage != null && toleratedPercentagePath != null) {
      violations.add(
          where + ": fields 'ToleratedFailurePercentage' and 'ToleratedFailurePercentagePath' cannot both be present");
    }
    if (toleratedCount != null && toleratedCountPath != null) {
      violations.add(where + ": fields 'ToleratedFailureCount' and 'ToleratedFailureCountPath' cannot both be present");
    }
    String label = string(node, "Label", where);
    JsonPath itemsPath = node.has("ItemsPath") ? referencePath(node, "ItemsPath", where) : JsonPath.ROOT;
    PayloadTemplate itemSelector =
        node.has("ItemSelector") ? template(node, "ItemSelector", where) : template(node, "Parameters", where);
    return new MapState(
        name,
        ioPath(node, "InputPath", where),
        ioPath(node, "OutputPath", where),
        resultPath(node, "ResultPath", where),
        template(node, "ResultSelector", where),
        itemsPath == null ? JsonPath.ROOT : itemsPath,
        itemSelector,
        maxConcurrency,
        maxConcurrencyPath,
        processor == null ? new Body("", Map.of()) : processor,
        distributed,
        label == null ? name : label,
        distributed ? itemReader(node.get("ItemReader"), where) : null,
        distributed ? itemBatcher(node.get("ItemBatcher"), where) : null,
        distributed ? resultWriter(node.get("ResultWriter"), where) : null,
        toleratedPercentage,
        toleratedPercentagePath,
        toleratedCount,
        toleratedCountPath,
        retriers(node, where),
        catchers(node, where),
        next(node, where));
  }

  private ItemReaderSpec itemReader(JsonNode node, String where) {
    if (node == null) {
      return null;
    }
    String at = where + ": field 'ItemReader";
    if (!node.isObject()) {
      violations.add(at + "' must be a JSON object");
      return null;
    }
    for (String field : names(node)) {
      if (!Set.of("Resource", "ReaderConfig", "Parameters").contains(field)) {
        violations.add(at + "." + field + "' is not supported by the local runner");
      }
    }
    if (!S3_GET_OBJECT.equals(node.path("Resource").asText(null))) {
      violations.add(
          at + ".Resource' value " + node.get("Resource") + " is not supported by the local runner (only "
              + S3_GET_OBJECT + ")");
    }
    JsonNode config = node.path("ReaderConfig");
    String inputType = config.path("InputType").asText("JSON");
    if (!inputType.equals("JSON") && !inputType.equals("JSONL")) {
      violations.add(at + ".ReaderConfig.InputType' value '" + inputType + "' is not supported by the local runner (JSON, JSONL)");
    }
    for (String field : names(config)) {
      if (!Set.of("InputType", "MaxItems", "MaxItemsPath").contains(field)) {
        violations.add(at + ".ReaderConfig." + field + "' is not supported by the local runner");
      }
    }
    Integer maxItems = positiveInt(config, "MaxItems", where + ": field 'ItemReader.ReaderConfig", 0);
    JsonPath maxItemsPath = referencePath(config, "MaxItemsPath", where + ": field 'ItemReader.ReaderConfig");
    PayloadTemplate parameters = template(node, "Parameters", where, "ItemReader.Parameters");
    JsonNode params = node.path("Parameters");
    for (String required : List.of("Bucket", "Key")) {
      if (!params.has(required) && !params.has(required + ".$")) {
        violations.add(at + ".Parameters." + required + "' is required");
      }
    }
    return new ItemReaderSpec(parameters, inputType, maxItems, maxItemsPath);
  }

  private ItemBatcherSpec itemBatcher(JsonNode node, String where) {
    if (node == null) {
      return null;
    }
    String at = where + ": field 'ItemBatcher";
    if (!node.isObject()) {
      violations.add(at + "' must be a JSON object");
      return null;
    }
    for (String field : names(node)) {
      if (!Set.of(
              "MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", "BatchInput")
          .contains(field)) {
        violations.add(at + "." + field + "' is not a field of ItemBatcher");
      }
    }
    String prefix = where + ": field 'ItemBatcher";
    Integer maxItems = positiveInt(node, "MaxItemsPerBatch", prefix, 1);
    Integer maxBytes = positiveInt(node, "MaxInputBytesPerBatch", prefix, 1);
    if (maxBytes != null && maxBytes > Json.PAYLOAD_LIMIT_BYTES) {
      violations.add(at + ".MaxInputBytesPerBatch' must be at most " + Json.PAYLOAD_LIMIT_BYTES + ", got " + maxBytes);
    }
    JsonPath maxItemsPath = referencePath(node, "MaxItemsPerBatchPath", prefix);
    JsonPath maxBytesPath = referencePath(node, "MaxInputBytesPerBatchPath", prefix);
    if (maxItems == null && maxItemsPath == null && maxBytes == null && maxBytesPath == null) {
      violations.add(at + "' needs MaxItemsPerBatch(Path) or MaxInputBytesPerBatch(Path)");
    }
    return new ItemBatcherSpec(
        maxItems, maxItemsPath, maxBytes, maxBytesPath, template(node, "BatchInput", where, "ItemBatcher.BatchInput"));
  }

  private ResultWriterSpec resultWriter(JsonNode node, String where) {
    if (node == null) {
      return null;
    }
    String at = where + ": field 'ResultWriter";
    if (!node.isObject()) {
      violations.add(at + "' must be a JSON object");
      return null;
    }
    for (String field : names(node)) {
      if (!Set.of("Resource", "Parameters").contains(field)) {
        violations.add(at + "." + field + "' is not supported by the local runner");
      }
    }
    if (!S3_PUT_OBJECT.equals(node.path("Resource").asText(null))) {
      violations.add(
          at + ".Resource' value " + node.get("Resource") + " is not supported by the local runner (only "
              + S3_PUT_OBJECT + ")");
    }
    JsonNode params = node.path("Parameters");
    if (!params.has("Bucket") && !params.has("Bucket.$")) {
      violations.add(at + ".Parameters.Bucket' is required");
    }
    for (String field : names(params)) {
      if (!Set.of("Bucket", "Bucket.$", "Prefix", "Prefix.$").contains(field)) {
        violations.add(at + ".Parameters." + field + "' is not a parameter of " + S3_PUT_OBJECT + " in a ResultWriter");
      }
    }
    return new ResultWriterSpec(template(node, "Parameters", where, "ResultWriter.Parameters"));
  }

  private List<Retrier> retriers(JsonNode node, String where) {
    List<Retrier> retriers = new ArrayList<>();
    List<JsonNode> retry = arrayOfObjects(node, "Retry", where, RETRIER_FIELDS, "retrier");
    for (int i = 0; i < retry.size(); i++) {
      JsonNode each = retry.get(i);
      String at = "Retry[" + i + "]";
      List<String> errors = errorEquals(each, where, at, i == retry.size() - 1);
      Integer interval = positiveInt(each, "IntervalSeconds", where + ": field '" + at, 1);
      Integer maxAttempts = positiveInt(each, "MaxAttempts", where + ": field '" + at, 0);
      double backoff = 2.0;
      if (each.has("BackoffRate")) {
        JsonNode value = each.get("BackoffRate");
        if (!value.isNumber() || value.asDouble() < 1.0) {
          violations.add(where + ": field '" + at + ".BackoffRate' must be a number >= 1.0, got " + value);
        } else {
          backoff = value.asDouble();
        }
      }
      Integer maxDelay = positiveInt(each, "MaxDelaySeconds", where + ": field '" + at, 1);
      String jitter = each.path("JitterStrategy").asText("NONE");
      if (!jitter.equals("FULL") && !jitter.equals("NONE")) {
        violations.add(where + ": field '" + at + ".JitterStrategy' must be FULL or NONE, got " + jitter);
      }
      retriers.add(
          new Retrier(
              errors,
              interval == null ? 1 : interval,
              maxAttempts == null ? 3 : maxAttempts,
              backoff,
              maxDelay,
              jitter.equals("FULL")));
    }
    return retriers;
  }

  private List<Catcher> catchers(JsonNode node, String where) {
    List<Catcher> catchers = new ArrayList<>();
    List<JsonNode> catchNode = arrayOfObjects(node, "Catch", where, CATCHER_FIELDS, "catcher");
    for (int i = 0; i < catchNode.size(); i++) {
      JsonNode each = catchNode.get(i);
      String at = "Catch[" + i + "]";
      List<String> errors = errorEquals(each, where, at, i == catchNode.size() - 1);
      JsonNode next = each.get("Next");
      if (next == null || !next.isTextual()) {
        violations.add(where + ": field '" + at + ".Next' is required and must be a string");
        continue;
      }
      catchers.add(new Catcher(errors, resultPath(each, "ResultPath", where + ": field '" + at), next.textValue()));
    }
    return catchers;
  }

  /**
   * The elements of array {@code field} (absent: none), reporting a non-array and every element field
   * not in {@code allowed} as "is not a field of a {@code noun}".
   */
  private List<JsonNode> arrayOfObjects(JsonNode node, String field, String where, Set<String> allowed, String noun) {
    JsonNode array = node.get(field);
    if (array == null) {
      return List.of();
    }
    if (!array.isArray()) {
      violations.add(where + ": field '" + field + "' must be an array");
      return List.of();
    }
    List<JsonNode> elements = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode each = array.get(i);
      for (String name : names(each)) {
        if (!allowed.contains(name)) {
          violations.add(where + ": field '" + field + "[" + i + "]." + name + "' is not a field of a " + noun);
        }
      }
      elements.add(each);
    }
    return elements;
  }

  private static final Set<String> RETRIER_FIELDS = Set.of(
      "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment");

  private static final Set<String> CATCHER_FIELDS = Set.of("ErrorEquals", "Next", "ResultPath", "Comment");

  private List<String> errorEquals(JsonNode node, String where, String at, boolean last) {
    JsonNode list = node.get("ErrorEquals");
    List<String> errors = new ArrayList<>();
    if (list == null || !list.isArray() || list.isEmpty()) {
      violations.add(where + ": field '" + at + ".ErrorEquals' is required and must be a non-empty array of strings");
      return errors;
    }
    for (JsonNode each : list) {
      if (!each.isTextual()) {
        violations.add(where + ": field '" + at + ".ErrorEquals' must contain only strings, got " + each);
      } else {
        errors.add(each.textValue());
      }
    }
    if (errors.contains(StateFailure.ALL) && (errors.size() > 1 || !last)) {
      violations.add(
          where + ": field '" + at + ".ErrorEquals': States.ALL must appear alone and in the last "
              + (at.startsWith("Retry") ? "retrier" : "catcher"));
    }
    return errors;
  }

  private String next(JsonNode node, String where) {
    JsonNode next = node.get("Next");
    JsonNode end = node.get("End");
    boolean ends = end != null && end.isBoolean() && end.booleanValue();
    if (end != null && !end.isBoolean()) {
      violations.add(where + ": field 'End' must be a boolean");
    }
    if ((next != null) == ends || next == null && end == null) {
      violations.add(where + ": must have exactly one of 'Next' and 'End: true'");
      return null;
    }
    if (next != null && !next.isTextual()) {
      violations.add(where + ": field 'Next' must be a string");
      return null;
    }
    return next == null ? null : next.textValue();
  }

  /** InputPath/OutputPath: absent means {@code $}, JSON null means "pass {}". */
  private JsonPath ioPath(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null) {
      return JsonPath.ROOT;
    }
    if (value.isNull()) {
      return null;
    }
    return path(value, field, where, false);
  }

  /** ResultPath: absent means {@code $}, JSON null means "discard the result". */
  private JsonPath resultPath(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null) {
      return JsonPath.ROOT;
    }
    if (value.isNull()) {
      return null;
    }
    JsonPath path = path(value, field, where, true);
    if (path != null && path.root() == JsonPath.Root.CONTEXT) {
      violations.add(fieldPrefix(where, field) + "' must start with '$', not '$$'");
      return null;
    }
    return path;
  }

  private JsonPath referencePath(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    return value == null ? null : path(value, field, where, true);
  }

  private JsonPath path(JsonNode value, String field, String where, boolean reference) {
    if (!value.isTextual()) {
      violations.add(fieldPrefix(where, field) + "' must be a JSONPath string, got " + value);
      return null;
    }
    try {
      JsonPath path = JsonPath.parse(value.textValue());
      if (reference && !path.isReference()) {
        violations.add(
            fieldPrefix(where, field) + "' must be a reference path (names and indexes only), got " + value.textValue());
        return null;
      }
      return path;
    } catch (IllegalArgumentException e) {
      violations.add(fieldPrefix(where, field) + "': " + e.getMessage());
      return null;
    }
  }

  /**
   * {@code where} is either {@code state 'X'} or, for nested fields, {@code state 'X': field 'A} (an
   * open quote); either way this returns the opening of {@code ...field 'A.F} and callers append the
   * closing quote.
   */
  private static String fieldPrefix(String where, String field) {
    return where.contains(": field '") ? where + "." + field : where + ": field '" + field;
  }

  private PayloadTemplate template(JsonNode node, String field, String where) {
    return template(node, field, where, field);
  }

  private PayloadTemplate template(JsonNode node, String field, String where, String displayName) {
    JsonNode value = node.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isObject()) {
      violations.add(where + ": field '" + displayName + "' must be a JSON object");
      return null;
    }
    List<String> local = new ArrayList<>();
    PayloadTemplate compiled = PayloadTemplate.compile(value, displayName, local);
    local.forEach(v -> violations.add(where + ": " + v));
    return compiled;
  }

  private PayloadTemplate expression(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null) {
      return null;
    }
    List<String> local = new ArrayList<>();
    PayloadTemplate compiled = PayloadTemplate.expression(value, field, field, local);
    local.forEach(v -> violations.add(where + ": " + v));
    return compiled;
  }

  private String string(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      violations.add(where + ": field '" + field + "' must be a string, got " + value);
      return null;
    }
    return value.textValue();
  }

  private Integer positiveInt(JsonNode node, String field, String where, int min) {
    JsonNode value = node.get(field);
    if (value == null) {
      return null;
    }
    if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.asInt() < min) {
      violations.add(
          fieldPrefix(where, field) + "' must be an integer >= " + min + ", got " + value);
      return null;
    }
    return value.asInt();
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
