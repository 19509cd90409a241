package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The parsed, validated form of a state machine. Path fields are {@code null} when the definition
 * sets them to JSON {@code null} (InputPath/OutputPath: use {@code {}}; ResultPath: discard the
 * result); {@code next} is {@code null} for a state that ends its flow.
 */
final class Model {

  private Model() {}

  /** {@code StartAt} plus {@code States}: the top level, a Map's processor or a Parallel branch. */
  record Body(String startAt, Map<String, State> states) {
    Body {
      Objects.requireNonNull(startAt, "startAt");
      // Definition order, so anything that walks the states (validation messages) is stable.
      states = Collections.unmodifiableMap(new LinkedHashMap<>(states));
    }
  }

  record Retrier(
      List<String> errorEquals,
      int intervalSeconds,
      int maxAttempts,
      double backoffRate,
      Integer maxDelaySeconds,
      boolean fullJitter) {
    Retrier {
      errorEquals = List.copyOf(errorEquals);
    }
  }

  record Catcher(List<String> errorEquals, JsonPath resultPath, String next) {
    Catcher {
      errorEquals = List.copyOf(errorEquals);
      Objects.requireNonNull(next, "next");
    }
  }

  sealed interface State
      permits PassState, TaskState, ChoiceState, WaitState, SucceedState, FailState, ParallelState, MapState {
    String name();

    /** The prefix of this state's history event types, e.g. {@code Task} in {@code TaskStateEntered}. */
    String eventPrefix();
  }

  record PassState(
      String name,
      JsonPath inputPath,
      JsonPath outputPath,
      JsonPath resultPath,
      PayloadTemplate parameters,
      JsonNode result,
      String next)
      implements State {
    public String eventPrefix() {
      return "Pass";
    }
  }

  record TaskState(
      String name,
      JsonPath inputPath,
      JsonPath outputPath,
      JsonPath resultPath,
      PayloadTemplate parameters,
      PayloadTemplate resultSelector,
      String resource,
      boolean lambdaInvokeIntegration,
      Integer timeoutSeconds,
      JsonPath timeoutSecondsPath,
      List<Retrier> retry,
      List<Catcher> catchers,
      String next)
      implements State {
    TaskState {
      retry = List.copyOf(retry);
      catchers = List.copyOf(catchers);
    }

    public String eventPrefix() {
      return "Task";
    }
  }

  sealed interface Rule permits And, Or, Not, Compare {}

  record And(List<Rule> rules) implements Rule {
    And {
      rules = List.copyOf(rules);
    }
  }

  record Or(List<Rule> rules) implements Rule {
    Or {
      rules = List.copyOf(rules);
    }
  }

  record Not(Rule rule) implements Rule {}

  /**
   * One data-test expression: {@code Variable} with one operator. {@code expected} holds the
   * literal operand, {@code expectedPath} the operand of a {@code *Path} operator, {@code pattern}
   * the compiled {@code StringMatches} pattern.
   */
  record Compare(JsonPath variable, String operator, JsonNode expected, JsonPath expectedPath, Pattern pattern)
      implements Rule {
    Compare {
      Objects.requireNonNull(variable, "variable");
      Objects.requireNonNull(operator, "operator");
    }
  }

  record ChoiceBranch(Rule rule, String next) {}

  record ChoiceState(
      String name, JsonPath inputPath, JsonPath outputPath, List<ChoiceBranch> choices, String defaultNext)
      implements State {
    ChoiceState {
      choices = List.copyOf(choices);
    }

    public String eventPrefix() {
      return "Choice";
    }
  }

  record WaitState(
      String name,
      JsonPath inputPath,
      JsonPath outputPath,
      Long seconds,
      JsonPath secondsPath,
      Instant timestamp,
      JsonPath timestampPath,
      String next)
      implements State {
    public String eventPrefix() {
      return "Wait";
    }
  }

  record SucceedState(String name, JsonPath inputPath, JsonPath outputPath) implements State {
    public String eventPrefix() {
      return "Succeed";
    }
  }

  record FailState(String name, String error, PayloadTemplate errorPath, String cause, PayloadTemplate causePath)
      implements State {
    public String eventPrefix() {
      return "Fail";
    }
  }

  record ParallelState(
      String name,
      JsonPath inputPath,
      JsonPath outputPath,
      JsonPath resultPath,
      PayloadTemplate parameters,
      PayloadTemplate resultSelector,
      List<Body> branches,
      List<Retrier> retry,
      List<Catcher> catchers,
      String next)
      implements State {
    ParallelState {
      branches = List.copyOf(branches);
      retry = List.copyOf(retry);
      catchers = List.copyOf(catchers);
    }

    public String eventPrefix() {
      return "Parallel";
    }
  }

  /** {@code ItemReader} over {@code arn:aws:states:::s3:getObject}. */
  record ItemReaderSpec(PayloadTemplate parameters, String inputType, Integer maxItems, JsonPath maxItemsPath) {}

  record ItemBatcherSpec(
      Integer maxItemsPerBatch,
      JsonPath maxItemsPerBatchPath,
      Integer maxInputBytesPerBatch,
      JsonPath maxInputBytesPerBatchPath,
      PayloadTemplate batchInput) {}

  /** {@code ResultWriter} over {@code arn:aws:states:::s3:putObject}. */
  record ResultWriterSpec(PayloadTemplate parameters) {}

  record MapState(
      String name,
      JsonPath inputPath,
      JsonPath outputPath,
      JsonPath resultPath,
      PayloadTemplate resultSelector,
      JsonPath itemsPath,
      PayloadTemplate itemSelector,
      Integer maxConcurrency,
      JsonPath maxConcurrencyPath,
      Body processor,
      boolean distributed,
      String label,
      ItemReaderSpec itemReader,
      ItemBatcherSpec itemBatcher,
      ResultWriterSpec resultWriter,
      Double toleratedFailurePercentage,
      JsonPath toleratedFailurePercentagePath,
      Integer toleratedFailureCount,
      JsonPath toleratedFailureCountPath,
      List<Retrier> retry,
      List<Catcher> catchers,
      String next)
      implements State {
    MapState {
      Objects.requireNonNull(processor, "processor");
      Objects.requireNonNull(itemsPath, "itemsPath");
      retry = List.copyOf(retry);
      catchers = List.copyOf(catchers);
    }

    public String eventPrefix() {
      return "Map";
    }
  }
}
