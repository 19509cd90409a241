package dev.featurepipe.infra.sfn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Anything the local runner cannot run as AWS would is refused when the definition loads. */
class DefinitionValidationTest {

  private static final String FN = "arn:aws:lambda:us-east-1:123456789012:function:F";

  private static void rejects(String asl, String message) {
    assertThatThrownBy(() -> StateMachineDefinition.parse(asl, Map.of()))
        .isInstanceOf(AslDefinitionException.class)
        .hasMessage(message);
  }

  private static String task(String fields) {
    return """
        {"StartAt": "T", "States": {"T": {"Type": "Task", %s, "End": true}}}
        """.formatted(fields);
  }

  @Test
  void credentialsAreNotSupported() {
    rejects(
        task("\"Resource\": \"" + FN + "\", \"Credentials\": {\"RoleArn\": \"arn:aws:iam::1:role/x\"}"),
        "state 'T': field 'Credentials' is not supported by the local runner");
  }

  @Test
  void heartbeatsAreNotSupported() {
    rejects(task("\"Resource\": \"" + FN + "\", \"HeartbeatSeconds\": 10"), "state 'T': field 'HeartbeatSeconds' is not supported by the local runner");
  }

  @Test
  void jsonataIsNotSupported() {
    rejects(
        "{\"QueryLanguage\": \"JSONata\", \"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}}",
        "definition: field 'QueryLanguage' value \"JSONata\" is not supported by the local runner (only JSONPath)");
    rejects(
        "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"QueryLanguage\": \"JSONata\", \"Output\": \"{% 1 %}\", \"End\": true}}}",
        "state 'P': field 'Output' is not supported by the local runner\n"
            + "state 'P': field 'QueryLanguage' value \"JSONata\" is not supported by the local runner (only JSONPath)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "arn:aws:states:::sqs:sendMessage",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:us-east-1:123456789012:activity:Approve"
      })
  void otherResourcesAreNotSupported(String resource) {
    rejects(
        task("\"Resource\": \"" + resource + "\""),
        "state 'T': field 'Resource' value '" + resource + "' is not supported by the local runner (supported: "
            + "arn:aws:states:::lambda:invoke and arn:aws:lambda:<region>:<account>:function:<name>)");
  }

  @Test
  void lambdaInvokeNeedsAFunctionNameAndOnlyKnowsItsOwnParameters() {
    rejects(
        task("\"Resource\": \"arn:aws:states:::lambda:invoke\", \"Parameters\": {\"Payload.$\": \"$\", \"Bogus\": 1}"),
        "state 'T': field 'Parameters.FunctionName' is required by arn:aws:states:::lambda:invoke\n"
            + "state 'T': field 'Parameters.Bogus' is not a parameter of arn:aws:states:::lambda:invoke");
  }

  @Test
  void aTypoInAFieldNameIsReportedAsUnknown() {
    rejects(
        "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"Reslt\": 1, \"End\": true}}}",
        "state 'P': field 'Reslt' is not a field of a Pass state");
  }

  @Test
  void transitionsMustNameAStateOfTheSameScope() {
    rejects(
        "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"Next\": \"Nowhere\"}}}",
        "state 'P': field 'Next' names state 'Nowhere', which does not exist in the same scope");
    rejects(
        """
        {"StartAt": "M", "States": {
          "M": {"Type": "Map", "ItemProcessor": {"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "Out"}}}, "Next": "Out"},
          "Out": {"Type": "Succeed"}}}
        """,
        "state 'In': field 'Next' names state 'Out', which does not exist in the same scope");
  }

  @Test
  void aStateNeedsExactlyOneOfNextAndEnd() {
    rejects("{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\"}}}", "state 'P': must have exactly one of 'Next' and 'End: true'");
  }

  @Test
  void statesAllMustBeAloneAndLast() {
    rejects(
        task(
            "\"Resource\": \"" + FN + "\", \"Catch\": [{\"ErrorEquals\": [\"States.ALL\"], \"Next\": \"T\"}, "
                + "{\"ErrorEquals\": [\"E\"], \"Next\": \"T\"}]"),
        "state 'T': field 'Catch[0].ErrorEquals': States.ALL must appear alone and in the last catcher");
    rejects(
        task("\"Resource\": \"" + FN + "\", \"Retry\": [{\"ErrorEquals\": [\"States.ALL\", \"E\"]}]"),
        "state 'T': field 'Retry[0].ErrorEquals': States.ALL must appear alone and in the last retrier");
  }

  @Test
  void retrierNumbersAreChecked() {
    rejects(
        task("\"Resource\": \"" + FN + "\", \"Retry\": [{\"ErrorEquals\": [\"E\"], \"BackoffRate\": 0.5, \"MaxAttempts\": -1, \"JitterStrategy\": \"HALF\"}]"),
        "state 'T': field 'Retry[0].MaxAttempts' must be an integer >= 0, got -1\n"
            + "state 'T': field 'Retry[0].BackoffRate' must be a number >= 1.0, got 0.5\n"
            + "state 'T': field 'Retry[0].JitterStrategy' must be FULL or NONE, got HALF");
  }

  @Test
  void pathsAndIntrinsicsAreCheckedAtLoadTime() {
    rejects(
        "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"Parameters\": {\"x.$\": \"$.a[\", \"y.$\": \"States.Nope()\"}, \"End\": true}}}",
        "state 'P': field 'Parameters.x.$': invalid JSONPath '$.a[': unclosed '['\n"
            + "state 'P': field 'Parameters.y.$': invalid intrinsic function 'States.Nope()': unknown intrinsic function 'States.Nope'");
    rejects(
        "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"ResultPath\": \"$.a[*]\", \"End\": true}}}",
        "state 'P': field 'ResultPath' must be a reference path (names and indexes only), got $.a[*]");
  }

  @Test
  void choiceRuleOperandsMustHaveTheOperatorsType() {
    rejects(
        """
        {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
          {"Variable": "$.n", "NumericEquals": "10", "Next": "D"},
          {"Variable": "$.t", "TimestampEquals": "yesterday", "Next": "D"},
          {"Variable": "$.s", "StringSounds": "x", "Next": "D"}]},
          "D": {"Type": "Succeed"}}}
        """,
        "state 'C': field 'Choices[0].NumericEquals' must be a number, got \"10\"\n"
            + "state 'C': field 'Choices[1].TimestampEquals' must be an RFC 3339 timestamp string, got \"yesterday\"\n"
            + "state 'C': field 'Choices[2].StringSounds' is not a choice rule operator");
  }

  @Test
  void distributedOnlyFieldsNeedDistributedMode() {
    rejects(
        """
        {"StartAt": "M", "States": {"M": {"Type": "Map", "ToleratedFailureCount": 1,
          "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}},
          "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}
        """,
        "state 'M': field 'ItemReader' requires ItemProcessor.ProcessorConfig.Mode DISTRIBUTED\n"
            + "state 'M': field 'ToleratedFailureCount' requires ItemProcessor.ProcessorConfig.Mode DISTRIBUTED");
  }

  @Test
  void onlyJsonItemReadersAndS3ResultWritersAreSupported() {
    rejects(
        """
        {"StartAt": "M", "States": {"M": {"Type": "Map",
          "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                         "Parameters": {"Bucket": "b", "Key": "k"}},
          "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "WriterConfig": {"OutputType": "JSONL"}, "Parameters": {"Bucket": "b"}},
          "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
          "End": true}}}
        """,
        "state 'M': field 'ItemReader.Resource' value \"arn:aws:states:::s3:listObjectsV2\" is not supported by the local runner (only arn:aws:states:::s3:getObject)\n"
            + "state 'M': field 'ItemReader.ReaderConfig.InputType' value 'CSV' is not supported by the local runner (JSON, JSONL)\n"
            + "state 'M': field 'ItemReader.ReaderConfig.CSVHeaderLocation' is not supported by the local runner\n"
            + "state 'M': field 'ResultWriter.WriterConfig' is not supported by the local runner");
  }

  @Test
  void aPlaceholderWithoutSubstitutionIsReportedWhereItIsUsed() {
    String asl =
        """
        {"StartAt": "Plan", "States": {"Plan": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "${PlanArn}", "Payload.$": "$"}, "Next": "Load"},
          "Load": {"Type": "Task", "Resource": "${LoadArn}", "End": true}}}
        """;
    assertThatThrownBy(() -> StateMachineDefinition.parse(asl, Map.of("LoadArn", FN)))
        .isInstanceOf(AslDefinitionException.class)
        .hasMessage("state 'Plan': field 'Parameters.FunctionName' uses placeholder '${PlanArn}', which has no definition substitution");
    assertThat(StateMachineDefinition.parse(asl, Map.of("LoadArn", FN, "PlanArn", FN))).isNotNull();
  }

  @Test
  void aSubstitutionMayStandForANumber() {
    String asl =
        "{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": ${Delay}, \"End\": true}}}";
    assertThat(StateMachineDefinition.parse(asl, Map.of("Delay", "5"))).isNotNull();
    assertThatThrownBy(() -> StateMachineDefinition.parse(asl, Map.of()))
        .hasMessage("definition: placeholder '${Delay}' has no definition substitution");
  }

  @Test
  void everyViolationIsListedOnItsOwnLine() {
    AslDefinitionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            AslDefinitionException.class,
            () ->
                StateMachineDefinition.parse(
                    """
                    {"StartAt": "A", "States": {
                      "A": {"Type": "Pass", "Next": "B", "Credentials": {}},
                      "B": {"Type": "Wait", "End": true},
                      "C": {"Type": "Teleport"}}}
                    """,
                    Map.of()));
    assertThat(e.violations())
        .containsExactly(
            "state 'A': field 'Credentials' is not supported by the local runner",
            "state 'B': exactly one of 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath' is required",
            "state 'C': field 'Type' must be one of Choice, Fail, Map, Parallel, Pass, Succeed, Task, Wait, got \"Teleport\"");
  }

  @Test
  void textThatIsNotJsonIsRejected() {
    assertThatThrownBy(() -> StateMachineDefinition.parse("{\"StartAt\": ", Map.of()))
        .isInstanceOf(AslDefinitionException.class)
        .hasMessageStartingWith("definition: not valid JSON: ");
  }
}
