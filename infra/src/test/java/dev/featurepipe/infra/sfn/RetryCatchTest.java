package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RetryCatchTest {

  private static final String FN = "arn:aws:lambda:us-east-1:123456789012:function:Flaky";

  /** Stand-in for Lambda: fails with the queued errors in turn, then returns its payload. */
  private final Deque<String> errors = new ArrayDeque<>();
  private final List<JsonNode> payloads = new CopyOnWriteArrayList<>();
  private final List<InvocationInfo> infos = new CopyOnWriteArrayList<>();

  private final TaskInvoker flaky =
      (ref, payload, info) -> {
        payloads.add(payload);
        infos.add(info);
        String error;
        synchronized (errors) {
          error = errors.poll();
        }
        if (error != null) {
          throw new TaskFailure(error, "attempt " + info.attempt() + " failed with " + error);
        }
        return payload;
      };

  private void failWith(String... names) {
    errors.addAll(List.of(names));
  }

  private static String task(String retryAndCatch) {
    return """
        {"StartAt": "T", "States": {
          "T": {"Type": "Task", "Resource": "%s", "Parameters": {"retry.$": "$$.State.RetryCount"}, %s "End": true},
          "CaughtA": {"Type": "Pass", "Result": "A", "ResultPath": "$.handler", "End": true},
          "CaughtB": {"Type": "Pass", "Result": "B", "ResultPath": "$.handler", "End": true}}}
        """.formatted(FN, retryAndCatch);
  }

  @Test
  void aRetrierRetriesUpToMaxAttemptsThenTheErrorEscapes() {
    failWith("E.Flaky", "E.Flaky", "E.Flaky", "E.Flaky");
    ExecutionResult result = run(task("\"Retry\": [{\"ErrorEquals\": [\"E.Flaky\"], \"MaxAttempts\": 2}],"), flaky, "{}");
    assertThat(result.error()).contains("E.Flaky");
    assertThat(result.cause()).contains("attempt 3 failed with E.Flaky");
    assertThat(infos).extracting(InvocationInfo::attempt).containsExactly(1, 2, 3);
    assertThat(payloads).extracting(p -> p.get("retry").asInt()).containsExactly(0, 1, 2);
  }

  @Test
  void aRetriedTaskThatSucceedsContinuesNormally() {
    failWith("E.Flaky");
    ExecutionResult result = run(task("\"Retry\": [{\"ErrorEquals\": [\"States.ALL\"]}],"), flaky, "{}");
    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(result.output()).isEqualTo(json("{\"retry\": 1}"));
  }

  @Test
  void maxAttemptsZeroNeverRetries() {
    failWith("E.Flaky");
    run(task("\"Retry\": [{\"ErrorEquals\": [\"E.Flaky\"], \"MaxAttempts\": 0}],"), flaky, "{}");
    assertThat(infos).hasSize(1);
  }

  @Test
  void eachRetrierCountsItsOwnAttempts() {
    failWith("E.A", "E.B", "E.A", "E.B");
    String retry =
        "\"Retry\": [{\"ErrorEquals\": [\"E.A\"], \"MaxAttempts\": 2}, {\"ErrorEquals\": [\"E.B\"], \"MaxAttempts\": 2}],";
    ExecutionResult result = run(task(retry), flaky, "{}");
    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(infos).hasSize(5);
  }

  @Test
  void anExhaustedRetrierDoesNotFallThroughToALaterOne() {
    failWith("E.A", "E.A", "E.A");
    String retry =
        "\"Retry\": [{\"ErrorEquals\": [\"E.A\"], \"MaxAttempts\": 1}, {\"ErrorEquals\": [\"States.ALL\"], \"MaxAttempts\": 5}],";
    ExecutionResult result = run(task(retry), flaky, "{}");
    assertThat(result.error()).contains("E.A");
    assertThat(infos).hasSize(2);
  }

  @Test
  void statesAllDoesNotRetryOrCatchStatesRuntime() {
    String asl =
        """
        {"StartAt": "T", "States": {
          "T": {"Type": "Task", "Resource": "%s", "ResultSelector": {"x.$": "$.absent"},
                "Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
          "Caught": {"Type": "Succeed"}}}
        """.formatted(FN);
    ExecutionResult result = run(asl, flaky, "{}");
    assertThat(result.error()).contains("States.Runtime");
    assertThat(infos).hasSize(1);
  }

  @Test
  void statesTaskFailedMatchesTaskErrorsButNotTimeouts() {
    String catchers =
        "\"Catch\": [{\"ErrorEquals\": [\"States.TaskFailed\"], \"Next\": \"CaughtA\"}, {\"ErrorEquals\": [\"States.Timeout\"], \"Next\": \"CaughtB\"}],";
    failWith("Any.Error");
    assertThat(run(task(catchers), flaky, "{}").output().get("handler").textValue()).isEqualTo("A");
    failWith("States.Timeout");
    assertThat(run(task(catchers), flaky, "{}").output().get("handler").textValue()).isEqualTo("B");
  }

  @Test
  void theFirstMatchingCatcherWinsAndItsResultPathKeepsTheInput() {
    failWith("E.B");
    String catchers =
        """
        "Catch": [{"ErrorEquals": ["E.A"], "Next": "CaughtA"},
                  {"ErrorEquals": ["E.B", "E.C"], "ResultPath": "$.error", "Next": "CaughtB"},
                  {"ErrorEquals": ["States.ALL"], "Next": "CaughtA"}],
        """;
    ExecutionResult result = run(task(catchers), flaky, "{\"original\": true}");
    assertThat(result.output())
        .isEqualTo(
            json(
                """
                {"original": true, "error": {"Error": "E.B", "Cause": "attempt 1 failed with E.B"}, "handler": "B"}
                """));
  }

  @Test
  void aCatcherWithoutResultPathReplacesTheInputWithTheError() {
    failWith("E.A");
    String asl =
        """
        {"StartAt": "T", "States": {
          "T": {"Type": "Task", "Resource": "%s", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Out"}], "End": true},
          "Out": {"Type": "Pass", "End": true}}}
        """.formatted(FN);
    assertThat(run(asl, flaky, "{\"x\": 1}").output()).isEqualTo(json("{\"Error\": \"E.A\", \"Cause\": \"attempt 1 failed with E.A\"}"));
  }

  @Test
  void retryingAMapRunsTheWholeMapAgain() {
    failWith("E.Flaky");
    String asl =
        """
        {"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1,
          "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "%s", "End": true}}},
          "Retry": [{"ErrorEquals": ["E.Flaky"]}], "End": true}}}
        """.formatted(FN);
    ExecutionResult result = run(asl, flaky, "[1, 2]");
    assertThat(result.output()).isEqualTo(json("[1, 2]"));
    // Attempt 1: item 0 fails, item 1 never starts. Attempt 2: both items.
    assertThat(infos).extracting(InvocationInfo::statePath).containsExactly("M[0]/T", "M@2[0]/T", "M@2[1]/T");
  }

  @Test
  void backoffGrowsByTheRateAndStopsAtMaxDelay() {
    Model.Retrier retrier = new Model.Retrier(List.of("E"), 2, 10, 3.0, 50, false);
    List<Double> delays = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      delays.add(Frame.retryDelaySeconds(retrier, i, new Random(0)));
    }
    assertThat(delays).containsExactly(2.0, 6.0, 18.0, 50.0, 50.0);
  }

  @Test
  void fullJitterDrawsBelowTheBackoffAndReplaysForTheSameSeed() {
    Model.Retrier retrier = new Model.Retrier(List.of("E"), 30, 3, 2.0, 300, true);
    Random first = new Random(11);
    Random second = new Random(11);
    for (int i = 0; i < 6; i++) {
      double ceiling = Math.min(300, 30 * Math.pow(2, i));
      double drawn = Frame.retryDelaySeconds(retrier, i, first);
      assertThat(drawn).isGreaterThanOrEqualTo(0).isLessThan(ceiling);
      assertThat(Frame.retryDelaySeconds(retrier, i, second)).isCloseTo(drawn, within(0.0));
    }
  }

  @Test
  void jitterSeedsComeFromTheExecutionNameSoRerunsReplay() {
    Engine engine = new Engine(flaky, new InMemoryObjectStore(), Sfn.options());
    double a = new Execution(engine, "sm", "run-1", json("{}"), new Cancellation()).random("T|jitter").nextDouble();
    double b = new Execution(engine, "sm", "run-1", json("{}"), new Cancellation()).random("T|jitter").nextDouble();
    double c = new Execution(engine, "sm", "run-2", json("{}"), new Cancellation()).random("T|jitter").nextDouble();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
  }
}
