package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.noTasks;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Waits run with timeScale 0 here: what is checked is the flow and the validation, never time. */
class WaitStateTest {

  private static String waitThenDone(String field) {
    return """
        {"StartAt": "W", "States": {
          "W": {"Type": "Wait", %s, "OutputPath": "$.keep", "Next": "Done"},
          "Done": {"Type": "Succeed"}}}
        """.formatted(field);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"Seconds\": 30",
        "\"SecondsPath\": \"$.delay\"",
        "\"Timestamp\": \"2026-03-01T02:05:00Z\"",
        "\"TimestampPath\": \"$.until\"",
        "\"Timestamp\": \"2020-01-01T00:00:00Z\""
      })
  void everyWaitFormPassesItsInputThroughOutputPath(String field) {
    ExecutionResult result =
        run(waitThenDone(field), noTasks(), "{\"delay\": 5, \"until\": \"2026-03-01T02:00:10Z\", \"keep\": {\"k\": 1}}");
    assertThat(result.status()).as("%s", result.cause()).isEqualTo("SUCCEEDED");
    assertThat(result.output()).isEqualTo(json("{\"k\": 1}"));
    assertThat(result.history())
        .extracting(HistoryEvent::type)
        .containsExactly(
            "ExecutionStarted", "WaitStateEntered", "WaitStateExited", "SucceedStateEntered", "SucceedStateExited",
            "ExecutionSucceeded");
  }

  @Test
  void aSecondsPathThatIsNotANonNegativeIntegerFailsWithStatesRuntime() {
    ExecutionResult result = run(waitThenDone("\"SecondsPath\": \"$.delay\""), noTasks(), "{\"delay\": -1, \"keep\": 1}");
    assertThat(result.error()).contains("States.Runtime");
    assertThat(result.cause()).hasValueSatisfying(c -> assertThat(c).endsWith(
        "The SecondsPath parameter does not reference a valid non-negative integer: $.delay"));
  }

  @Test
  void aTimestampPathThatIsNotATimestampFailsWithStatesRuntime() {
    ExecutionResult result = run(waitThenDone("\"TimestampPath\": \"$.until\""), noTasks(), "{\"until\": \"tomorrow\", \"keep\": 1}");
    assertThat(result.error()).contains("States.Runtime");
    assertThat(result.cause()).hasValueSatisfying(c -> assertThat(c).endsWith(
        "The TimestampPath parameter does not reference a valid ISO-8601 timestamp: $.until"));
  }
}
