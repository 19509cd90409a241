package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.noTasks;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailStateTest {

  @Test
  void failEndsTheExecutionWithItsErrorAndCause() {
    String asl =
        """
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Custom.Error", "Cause": "it broke"}}}
        """;
    ExecutionResult result = run(asl, noTasks(), "{}");
    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).contains("Custom.Error");
    assertThat(result.cause()).contains("it broke");
    assertThat(result.output().isNull()).isTrue();
    assertThat(result.history()).extracting(HistoryEvent::type).containsExactly("ExecutionStarted", "FailStateEntered", "ExecutionFailed");
  }

  @Test
  void failTakesErrorAndCauseFromPathsOrIntrinsics() {
    String asl =
        """
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.error.Error",
          "CausePath": "States.Format('step {} failed: {}', $.step, $.error.Cause)"}}}
        """;
    ExecutionResult result = run(asl, noTasks(), "{\"step\": \"Extract\", \"error\": {\"Error\": \"E.X\", \"Cause\": \"disk\"}}");
    assertThat(result.error()).contains("E.X");
    assertThat(result.cause()).contains("step Extract failed: disk");
  }

  @Test
  void failWithoutErrorOrCauseReportsNeither() {
    ExecutionResult result = run("{\"StartAt\": \"F\", \"States\": {\"F\": {\"Type\": \"Fail\"}}}", noTasks(), "{}");
    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).isEmpty();
    assertThat(result.cause()).isEmpty();
  }

  @Test
  void anErrorPathThatIsNotAStringFailsWithStatesRuntime() {
    String asl = "{\"StartAt\": \"F\", \"States\": {\"F\": {\"Type\": \"Fail\", \"ErrorPath\": \"$.code\"}}}";
    ExecutionResult result = run(asl, noTasks(), "{\"code\": 3}");
    assertThat(result.error()).contains("States.Runtime");
    assertThat(result.cause()).hasValueSatisfying(c -> assertThat(c).endsWith("The ErrorPath must resolve to a string, got number"));
  }
}
