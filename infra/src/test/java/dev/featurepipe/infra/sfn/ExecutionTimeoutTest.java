package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The definition's top-level TimeoutSeconds: past it the execution fails with States.Timeout. */
class ExecutionTimeoutTest {

  private static String slowThenNext(int timeoutSeconds) {
    return """
        {"TimeoutSeconds": %d, "StartAt": "Slow", "States": {
          "Slow": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:slow", "Next": "After"},
          "After": {"Type": "Pass", "End": true}}}
        """.formatted(timeoutSeconds);
  }

  /** Stand-in for a Lambda that takes 1.5 s (the one real wait in these tests). */
  private static final TaskInvoker SLOW = (ref, payload, info) -> {
    try {
      Thread.sleep(1_500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return json("{\"done\": true}");
  };

  @Test
  void anExecutionStillRunningPastItsTimeoutFailsWithStatesTimeoutAndSchedulesNoFurtherState() {
    ExecutionResult result = run(slowThenNext(1), SLOW, "{}");

    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).contains("States.Timeout");
    assertThat(result.cause()).contains("The execution did not finish within its TimeoutSeconds of 1 seconds");
    assertThat(result.history()).extracting(HistoryEvent::stateName).doesNotContain("After");
  }

  @Test
  void anExecutionThatFinishesInTimeIsUnaffected() {
    ExecutionResult result = run(slowThenNext(60), SLOW, "{}");

    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(result.output()).isEqualTo(json("{\"done\": true}"));
  }

  @Test
  void aTimeoutBelowOneSecondIsRejectedAtLoadTime() {
    assertThatThrownBy(() -> Sfn.asl(slowThenNext(0)))
        .isInstanceOf(AslDefinitionException.class)
        .hasMessageContaining("TimeoutSeconds");
  }
}
