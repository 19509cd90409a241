package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TaskStateTest {

  private static final String FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:Echo";

  /** Stand-in for Lambda: records each call and returns {"got": payload}. */
  private final List<String> refs = new CopyOnWriteArrayList<>();
  private final List<JsonNode> payloads = new CopyOnWriteArrayList<>();
  private final List<InvocationInfo> infos = new CopyOnWriteArrayList<>();

  private final TaskInvoker echo =
      (ref, payload, info) -> {
        refs.add(ref);
        payloads.add(payload);
        infos.add(info);
        ObjectNode out = Json.object();
        out.set("got", payload);
        return out;
      };

  @Test
  void lambdaInvokeWrapsTheFunctionOutputLikeTheServiceIntegration() {
    String asl =
        """
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "%s", "Payload.$": "$.in"}, "End": true}}}
        """.formatted(FUNCTION_ARN);
    ExecutionResult result = run(asl, echo, "{\"in\": {\"k\": 1}}");
    assertThat(result.output())
        .isEqualTo(json("{\"ExecutedVersion\": \"$LATEST\", \"Payload\": {\"got\": {\"k\": 1}}, \"StatusCode\": 200}"));
    assertThat(refs).containsExactly(FUNCTION_ARN);
  }

  @Test
  void lambdaInvokeWithoutPayloadSendsAnEmptyObject() {
    String asl =
        """
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName.$": "$.fn"}, "OutputPath": "$.Payload", "End": true}}}
        """;
    ExecutionResult result = run(asl, echo, "{\"fn\": \"Dynamic\"}");
    assertThat(result.output()).isEqualTo(json("{\"got\": {}}"));
    assertThat(refs).containsExactly("Dynamic");
  }

  @Test
  void aFunctionArnResourceReturnsTheOutputItselfAndGetsTheEffectiveInput() {
    String asl =
        """
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "%s", "InputPath": "$.in",
          "ResultSelector": {"echoed.$": "$.got.k"}, "ResultPath": "$.result", "End": true}}}
        """.formatted(FUNCTION_ARN);
    ExecutionResult result = run(asl, echo, "{\"in\": {\"k\": 1}}");
    assertThat(result.output()).isEqualTo(json("{\"in\": {\"k\": 1}, \"result\": {\"echoed\": 1}}"));
    assertThat(refs).containsExactly(FUNCTION_ARN);
  }

  @Test
  void theInvokerGetsItsOwnCopyOfThePayload() {
    TaskInvoker mutating =
        (ref, payload, info) -> {
          ((ObjectNode) payload).put("tampered", true);
          return Json.object();
        };
    String asl =
        """
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "%s", "ResultPath": "$.r", "End": true}}}
        """.formatted(FUNCTION_ARN);
    assertThat(run(asl, mutating, "{\"a\": 1}").output()).isEqualTo(json("{\"a\": 1, \"r\": {}}"));
  }

  @Test
  void invocationInfoNamesTheExecutionStateAttemptAndPath() {
    String asl =
        """
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "%s", "End": true}}}
        """.formatted(FUNCTION_ARN);
    run(asl, echo, "{}");
    assertThat(infos).containsExactly(new InvocationInfo("test-execution", "T", 1, "T"));
  }

  @Test
  void aTaskThatOutlivesTimeoutSecondsFailsWithStatesTimeout() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    TaskInvoker stuck =
        (ref, payload, info) -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Json.object();
        };
    String asl =
        """
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "%s", "TimeoutSeconds": 1, "End": true}}}
        """.formatted(FUNCTION_ARN);
    try {
      ExecutionResult result = run(asl, stuck, "{}");
      assertThat(result.error()).contains("States.Timeout");
      assertThat(result.cause()).contains("The task did not finish within its TimeoutSeconds of 1 seconds");
      assertThat(result.history()).extracting(HistoryEvent::type).contains("LambdaFunctionTimedOut");
    } finally {
      release.countDown();
    }
  }

  @Test
  void aTaskFailureBecomesTheExecutionErrorWithItsCause() {
    TaskInvoker failing =
        (ref, payload, info) -> {
          throw new TaskFailure("dev.featurepipe.errors.SourceUnavailable", "{\"errorMessage\":\"down\"}");
        };
    String asl =
        """
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "F", "Payload.$": "$"}, "End": true}}}
        """;
    ExecutionResult result = run(asl, failing, "{}");
    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).contains("dev.featurepipe.errors.SourceUnavailable");
    assertThat(result.cause()).contains("{\"errorMessage\":\"down\"}");
    assertThat(result.history())
        .extracting(HistoryEvent::type)
        .containsExactly("ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "ExecutionFailed");
  }

  @Test
  void anInvokerThatThrowsIsReportedLikeAJavaLambdaException() {
    TaskInvoker throwing =
        (ref, payload, info) -> {
          throw new IllegalStateException("boom");
        };
    String asl =
        """
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "%s", "End": true}}}
        """.formatted(FUNCTION_ARN);
    ExecutionResult result = run(asl, throwing, "{}");
    assertThat(result.error()).contains("java.lang.IllegalStateException");
    JsonNode cause = json(result.cause().orElseThrow());
    assertThat(cause.get("errorMessage").textValue()).isEqualTo("boom");
    assertThat(cause.get("errorType").textValue()).isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void successfulLambdaInvokeRecordsTheTaskEventsInOrder() {
    String asl =
        """
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "F"}, "End": true}}}
        """;
    ExecutionResult result = run(asl, echo, "{}");
    assertThat(result.history())
        .extracting(HistoryEvent::type)
        .containsExactly(
            "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
            "ExecutionSucceeded");
    HistoryEvent scheduled = result.history().get(2);
    assertThat(scheduled.details().get("parameters")).isEqualTo(json("{\"FunctionName\": \"F\"}"));
    assertThat(scheduled.details().get("resourceType").textValue()).isEqualTo("lambda");
  }
}
