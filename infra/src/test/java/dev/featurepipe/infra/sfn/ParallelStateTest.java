package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ParallelStateTest {

  /** Stand-in for Lambda: "Slow" sleeps so the branches finish out of order, "Boom" fails. */
  private final List<InvocationInfo> calls = new CopyOnWriteArrayList<>();

  private final TaskInvoker lambdas =
      (ref, payload, info) -> {
        calls.add(info);
        String name = LambdaHandlerInvoker.logicalId(ref);
        if (name.equals("Boom")) {
          throw new TaskFailure("Custom.Boom", "branch " + payload.path("branch").asText() + " failed");
        }
        if (name.equals("Slow")) {
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        ObjectNode out = Json.object();
        out.put("from", name);
        out.set("in", payload);
        return out;
      };

  private static String branch(String function, String extra) {
    return """
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:%s",
          "Parameters": {"branch": "%s", "v.$": "$.v"}, %s "End": true}}}
        """.formatted(function, function, extra);
  }

  @Test
  void branchOutputsComeInBranchOrderWhateverFinishesFirst() {
    String asl =
        """
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [%s, %s], "ResultPath": "$.results", "End": true}}}
        """.formatted(branch("Slow", ""), branch("Fast", ""));
    ExecutionResult result = run(asl, lambdas, "{\"v\": 1}");
    assertThat(result.output())
        .isEqualTo(
            json(
                """
                {"v": 1, "results": [{"from": "Slow", "in": {"branch": "Slow", "v": 1}},
                                     {"from": "Fast", "in": {"branch": "Fast", "v": 1}}]}
                """));
  }

  @Test
  void parametersAndResultSelectorShapeTheBranchInputAndTheResult() {
    String asl =
        """
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Parameters": {"v.$": "$.outer"},
          "Branches": [%s, %s], "ResultSelector": {"first.$": "$[0].from", "count.$": "States.ArrayLength($)"}, "End": true}}}
        """.formatted(branch("A", ""), branch("B", ""));
    assertThat(run(asl, lambdas, "{\"outer\": 5}").output()).isEqualTo(json("{\"first\": \"A\", \"count\": 2}"));
  }

  @Test
  void aFailingBranchFailsTheParallelStateWithTheBranchError() {
    String asl =
        """
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [%s, %s], "End": true}}}
        """.formatted(branch("Fast", ""), branch("Boom", ""));
    ExecutionResult result = run(asl, lambdas, "{\"v\": 1}");
    assertThat(result.error()).contains("Custom.Boom");
    assertThat(result.cause()).contains("branch Boom failed");
    assertThat(result.history()).extracting(HistoryEvent::type).contains("ParallelStateFailed");
  }

  @Test
  void aCatcherOnTheParallelStateHandlesABranchFailure() {
    String asl =
        """
        {"StartAt": "P", "States": {
          "P": {"Type": "Parallel", "Branches": [%s], "Catch": [{"ErrorEquals": ["Custom.Boom"], "ResultPath": "$.err", "Next": "Handled"}], "End": true},
          "Handled": {"Type": "Pass", "End": true}}}
        """.formatted(branch("Boom", ""));
    ExecutionResult result = run(asl, lambdas, "{\"v\": 1}");
    assertThat(result.output()).isEqualTo(json("{\"v\": 1, \"err\": {\"Error\": \"Custom.Boom\", \"Cause\": \"branch Boom failed\"}}"));
  }

  @Test
  void tasksInBranchesKnowTheirBranchInTheStatePath() {
    String asl =
        """
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [%s, %s], "End": true}}}
        """.formatted(branch("A", ""), branch("B", ""));
    run(asl, lambdas, "{\"v\": 1}");
    assertThat(calls).extracting(InvocationInfo::statePath).containsExactlyInAnyOrder("P{0}/B", "P{1}/B");
  }
}
