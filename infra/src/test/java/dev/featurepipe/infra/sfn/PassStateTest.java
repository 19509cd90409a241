package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.noTasks;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PassStateTest {

  private static String pass(String fields) {
    return """
        {"StartAt": "P", "States": {"P": {"Type": "Pass", %s "End": true}}}
        """.formatted(fields);
  }

  @Test
  void withoutFieldsThePassStateHandsItsInputOn() {
    ExecutionResult result = run(pass(""), noTasks(), "{\"a\": 1}");
    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(result.output()).isEqualTo(json("{\"a\": 1}"));
  }

  @Test
  void resultReplacesTheInputByDefault() {
    ExecutionResult result = run(pass("\"Result\": {\"x\": [1, 2]},"), noTasks(), "{\"a\": 1}");
    assertThat(result.output()).isEqualTo(json("{\"x\": [1, 2]}"));
  }

  @Test
  void resultPathPlacesTheResultInsideTheOriginalInput() {
    ExecutionResult result = run(pass("\"Result\": \"done\", \"ResultPath\": \"$.status.value\","), noTasks(), "{\"a\": 1}");
    assertThat(result.output()).isEqualTo(json("{\"a\": 1, \"status\": {\"value\": \"done\"}}"));
  }

  @Test
  void resultPathNullDiscardsTheResult() {
    ExecutionResult result = run(pass("\"Result\": \"ignored\", \"ResultPath\": null,"), noTasks(), "{\"a\": 1}");
    assertThat(result.output()).isEqualTo(json("{\"a\": 1}"));
  }

  @Test
  void resultPathAppliesToTheRawInputNotTheInputPathSelection() {
    ExecutionResult result =
        run(pass("\"InputPath\": \"$.inner\", \"ResultPath\": \"$.copy\","), noTasks(), "{\"inner\": {\"v\": 1}, \"other\": 2}");
    assertThat(result.output()).isEqualTo(json("{\"inner\": {\"v\": 1}, \"other\": 2, \"copy\": {\"v\": 1}}"));
  }

  @Test
  void parametersBuildTheResultFromPathsContextAndIntrinsics() {
    String asl =
        pass(
            """
            "Parameters": {
              "static": "s",
              "copied.$": "$.a",
              "name.$": "$$.Execution.Name",
              "state.$": "$$.State.Name",
              "machine.$": "$$.StateMachine.Name",
              "label.$": "States.Format('{}#{}', $.a, $$.State.RetryCount)",
              "nested": {"deep.$": "$.list[1]"},
              "list": [{"inArray.$": "$.a"}, 7]
            },
            """);
    ExecutionResult result = run(asl, noTasks(), "{\"a\": \"A\", \"list\": [10, 20]}");
    assertThat(result.output())
        .isEqualTo(
            json(
                """
                {"static": "s", "copied": "A", "name": "test-execution", "state": "P", "machine": "test-machine",
                 "label": "A#0", "nested": {"deep": 20}, "list": [{"inArray": "A"}, 7]}
                """));
  }

  @Test
  void contextObjectCarriesExecutionIdInputAndStartTime() {
    String asl = pass("\"Parameters\": {\"id.$\": \"$$.Execution.Id\", \"input.$\": \"$$.Execution.Input\", \"start.$\": \"$$.Execution.StartTime\"},");
    ExecutionResult result = run(asl, noTasks(), "{\"k\": true}");
    assertThat(result.output().get("id").textValue())
        .isEqualTo("arn:aws:states:us-east-1:000000000000:execution:test-machine:test-execution")
        .isEqualTo(result.executionArn());
    assertThat(result.output().get("input")).isEqualTo(json("{\"k\": true}"));
    assertThat(result.output().get("start").textValue()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  }

  @Test
  void inputPathAndOutputPathNullBothMeanAnEmptyObject() {
    assertThat(run(pass("\"InputPath\": null,"), noTasks(), "{\"a\": 1}").output()).isEqualTo(json("{}"));
    assertThat(run(pass("\"OutputPath\": null,"), noTasks(), "{\"a\": 1}").output()).isEqualTo(json("{}"));
  }

  @Test
  void outputPathSelectsPartOfTheCombinedOutput() {
    ExecutionResult result = run(pass("\"Result\": {\"keep\": 1, \"drop\": 2}, \"ResultPath\": \"$.r\", \"OutputPath\": \"$.r.keep\","), noTasks(), "{}");
    assertThat(result.output()).isEqualTo(json("1"));
  }

  @Test
  void aParametersPathThatFindsNothingFailsTheExecutionWithStatesRuntime() {
    ExecutionResult result = run(pass("\"Parameters\": {\"x.$\": \"$.missing\"},"), noTasks(), "{\"a\": 1}");
    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).contains("States.Runtime");
    assertThat(result.cause())
        .contains(
            "An error occurred while executing the state 'P' (entered at the event id #2). The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input '{\"a\":1}'");
  }

  @Test
  void anInputPathThatFindsNothingFailsWithStatesRuntime() {
    ExecutionResult result = run(pass("\"InputPath\": \"$.missing\","), noTasks(), "{\"a\": 1}");
    assertThat(result.error()).contains("States.Runtime");
    assertThat(result.cause().orElseThrow()).contains("Invalid path '$.missing'");
  }

  @Test
  void aResultPathIntoAScalarFailsWithResultPathMatchFailure() {
    ExecutionResult result = run(pass("\"Result\": 1, \"ResultPath\": \"$.a.b\","), noTasks(), "{\"a\": 5}");
    assertThat(result.error()).contains("States.ResultPathMatchFailure");
    assertThat(result.cause()).contains("Unable to apply ResultPath \"$.a.b\" to input \"{\"a\":5}\"");
  }

  @Test
  void statesChainThroughNext() {
    String asl =
        """
        {"StartAt": "One", "States": {
          "One": {"Type": "Pass", "Result": 1, "ResultPath": "$.one", "Next": "Two"},
          "Two": {"Type": "Pass", "Result": 2, "ResultPath": "$.two", "End": true}}}
        """;
    assertThat(run(asl, noTasks(), "{}").output()).isEqualTo(json("{\"one\": 1, \"two\": 2}"));
  }
}
