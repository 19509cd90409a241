package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.noTasks;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SucceedStateTest {

  @Test
  void succeedEndsTheExecutionWithItsFilteredInput() {
    String asl =
        """
        {"StartAt": "S", "States": {"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}}}
        """;
    ExecutionResult result = run(asl, noTasks(), "{\"a\": {\"b\": [1]}}");
    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(result.output()).isEqualTo(json("[1]"));
  }

  @Test
  void aSucceedInsideAMapEndsOnlyItsIteration() {
    String asl =
        """
        {"StartAt": "M", "States": {
          "M": {"Type": "Map", "ItemProcessor": {"StartAt": "Route", "States": {
            "Route": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "Small"},
            "Big": {"Type": "Succeed", "OutputPath": null},
            "Small": {"Type": "Pass", "Result": "small", "End": true}}}, "Next": "After"},
          "After": {"Type": "Pass", "Parameters": {"results.$": "$"}, "End": true}}}
        """;
    ExecutionResult result = run(asl, noTasks(), "[1, 2]");
    assertThat(result.output()).isEqualTo(json("{\"results\": [\"small\", {}]}"));
    assertThat(result.history()).extracting(HistoryEvent::type).contains("SucceedStateExited", "PassStateExited");
  }
}
