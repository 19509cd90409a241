package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.infra.sfn.fixtures.FailingHandler;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LambdaHandlerInvokerTest {

  private static final SamTemplate TEMPLATE;

  static {
    try {
      TEMPLATE = SamTemplate.load(Path.of(LambdaHandlerInvokerTest.class.getResource("/sfn/sam/invoker.yaml").toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private final AtomicInteger created = new AtomicInteger();

  private final LambdaHandlerInvoker invoker =
      new LambdaHandlerInvoker(
          TEMPLATE,
          type -> {
            created.incrementAndGet();
            return type.getConstructor().newInstance();
          });

  private static final InvocationInfo INFO = new InvocationInfo("daily-2026-03-01", "Plan", 2, "Plan");

  @Test
  void aStreamHandlerGetsThePayloadAndARealContext() throws TaskFailure {
    JsonNode out =
        invoker.invoke("arn:aws:lambda:eu-west-1:000000000000:function:EchoFunction:live", json("{\"k\": [1, 2]}"), INFO);
    String expectedRequestId =
        UUID.nameUUIDFromBytes("daily-2026-03-01|Plan|2".getBytes(StandardCharsets.UTF_8)).toString();
    assertThat(out.get("echo")).isEqualTo(json("{\"k\": [1, 2]}"));
    assertThat(out.get("function").textValue()).isEqualTo("EchoFunction");
    assertThat(out.get("requestId").textValue()).isEqualTo(expectedRequestId);
    assertThat(out.get("memory").asInt()).isEqualTo(512);
    assertThat(out.get("remainingMs").asInt()).isPositive().isLessThanOrEqualTo(60_000);
    assertThat(out.get("arn").textValue()).isEqualTo("arn:aws:lambda:eu-west-1:000000000000:function:EchoFunction:live");
    assertThat(out.get("version").textValue()).isEqualTo("$LATEST");
  }

  @Test
  void theRequestIdChangesWithTheAttemptAndThePlaceInTheExecution() throws TaskFailure {
    String first = invoker.invoke("EchoFunction", json("{}"), INFO).get("requestId").textValue();
    String same = invoker.invoke("EchoFunction", json("{}"), INFO).get("requestId").textValue();
    String retry =
        invoker.invoke("EchoFunction", json("{}"), new InvocationInfo("daily-2026-03-01", "Plan", 3, "Plan"))
            .get("requestId").textValue();
    String iteration =
        invoker.invoke("EchoFunction", json("{}"), new InvocationInfo("daily-2026-03-01", "Plan", 2, "Map[1]/Plan"))
            .get("requestId").textValue();
    assertThat(same).isEqualTo(first);
    assertThat(List.of(retry, iteration)).doesNotContain(first).doesNotHaveDuplicates();
  }

  @Test
  void aTypedRequestHandlerGetsItsInputMappedByJackson() throws TaskFailure {
    JsonNode out = invoker.invoke("GreetingFunction", json("{\"name\": \"Ada\", \"date\": \"2026-02-28\", \"extra\": 1}"), INFO);
    assertThat(out).isEqualTo(json("{\"message\": \"hello Ada\", \"date\": \"2026-03-01\", \"nameLength\": 3}"));
  }

  @Test
  void aPlainMethodNamedByTheTemplateIsCalled() throws TaskFailure {
    assertThat(invoker.invoke("PlainFunction", json("\"hey\""), INFO)).isEqualTo(json("\"HEY!\""));
  }

  @Test
  void aThrowingHandlerIsReportedLikeTheJavaLambdaRuntime() {
    TaskFailure failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            TaskFailure.class, () -> invoker.invoke("FailingFunction", json("{}"), INFO));
    assertThat(failure.error()).isEqualTo(FailingHandler.SourceDown.class.getName());
    JsonNode cause = json(failure.cause());
    List<String> keys = new ArrayList<>();
    cause.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("errorMessage", "errorType", "stackTrace");
    assertThat(cause.get("errorMessage").textValue()).isEqualTo("source orders is down");
    assertThat(cause.get("errorType").textValue()).isEqualTo("dev.featurepipe.infra.sfn.fixtures.FailingHandler$SourceDown");
    assertThat(cause.get("stackTrace")).hasSize(1);
    assertThat(cause.get("stackTrace").get(0).textValue())
        .startsWith("dev.featurepipe.infra.sfn.fixtures.FailingHandler.handleRequest(FailingHandler.java:");
  }

  @Test
  void outputThatIsNotJsonFailsAsLambdaUnknown() {
    assertThatThrownBy(() -> invoker.invoke("TextFunction", json("{}"), INFO))
        .isInstanceOf(TaskFailure.class)
        .hasMessage("Lambda.Unknown: The function TextFunction returned output that is not JSON: all good");
  }

  @Test
  void anUnknownFunctionIsReportedWithTheFunctionsTheTemplateKnows() {
    assertThatThrownBy(() -> invoker.invoke("arn:aws:lambda:us-east-1:000000000000:function:Nope", json("{}"), INFO))
        .isInstanceOf(TaskFailure.class)
        .hasMessage(
            "Lambda.ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:Nope "
                + "(the SAM template defines EchoFunction, FailingFunction, GhostFunction, GreetingFunction, PlainFunction, TextFunction)");
  }

  @Test
  void aHandlerClassThatDoesNotExistFailsLikeTheRuntimesInitError() {
    TaskFailure failure =
        org.junit.jupiter.api.Assertions.assertThrows(TaskFailure.class, () -> invoker.invoke("GhostFunction", json("{}"), INFO));
    assertThat(failure.error()).isEqualTo("java.lang.ClassNotFoundException");
    assertThat(json(failure.cause()).get("errorMessage").textValue())
        .isEqualTo("Class not found: dev.featurepipe.infra.sfn.fixtures.NoSuchHandler");
  }

  @Test
  void eachHandlerIsCreatedOnceEvenUnderConcurrentInvocations() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<JsonNode>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        int n = i;
        results.add(pool.submit(() -> invoker.invoke("EchoFunction", json("{\"n\": " + n + "}"), INFO)));
      }
      for (int i = 0; i < 32; i++) {
        assertThat(results.get(i).get().get("echo").get("n").asInt()).isEqualTo(i);
      }
    } finally {
      pool.shutdown();
    }
    assertThat(created.get()).isEqualTo(1);
  }

  @Test
  void theInvokerRunsTemplateHandlersInsideAStateMachine() {
    String asl =
        """
        {"StartAt": "Greet", "States": {"Greet": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:GreetingFunction", "Payload.$": "$"},
          "OutputPath": "$.Payload",
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}], "End": true},
          "Failed": {"Type": "Fail"}}}
        """;
    ExecutionResult result =
        new LocalStepFunctions(invoker, new InMemoryObjectStore(), Sfn.options())
            .execute(Sfn.asl(asl), "greeter", "g-1", json("{\"name\": \"Bo\", \"date\": \"2026-01-31\"}"));
    assertThat(result.output()).isEqualTo(json("{\"message\": \"hello Bo\", \"date\": \"2026-02-01\", \"nameLength\": 2}"));
  }
}
