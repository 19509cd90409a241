package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.asl;
import static dev.featurepipe.infra.sfn.Sfn.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HistoryTest {

  private static final Instant NOW = Instant.parse("2026-03-01T02:03:04.005Z");

  private static final String TWO_STEPS =
      """
      {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F", "End": true}}}
      """;

  /** Stand-in for Lambda: returns its payload. */
  private static final TaskInvoker IDENTITY = (ref, payload, info) -> payload;

  private final InMemoryObjectStore store = new InMemoryObjectStore();

  private LocalStepFunctions runner(Clock clock) {
    return new LocalStepFunctions(IDENTITY, store, new RunnerOptions(0, 2, Optional.of("hist"), "history/", clock));
  }

  @Test
  void eventsOfALinearFlowChainInOrderWithTimesFromTheInjectedClock() {
    ExecutionResult result = runner(Clock.fixed(NOW, ZoneOffset.UTC)).execute(asl(TWO_STEPS), "machine", "exec-1", json("{}"));
    List<HistoryEvent> events = result.history();
    assertThat(events)
        .extracting(HistoryEvent::type)
        .containsExactly(
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "TaskStateEntered", "LambdaFunctionScheduled",
            "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).id()).isEqualTo(i + 1);
      assertThat(events.get(i).previousEventId()).isEqualTo(i);
      assertThat(events.get(i).timestamp()).isEqualTo(NOW);
    }
    assertThat(events.get(1).details()).isEqualTo(json("{\"name\": \"A\", \"input\": {}}"));
    assertThat(events.get(2).details()).isEqualTo(json("{\"name\": \"A\", \"output\": {\"a\": 1}}"));
    assertThat(events.get(0).stateName()).isEmpty();
    assertThat(events.get(3).stateName()).isEqualTo("B");
  }

  @Test
  void theHistoryIsWrittenAsJsonUnderThePrefixStateMachineAndExecution() {
    ExecutionResult result = runner(new Sfn.SteppingClock()).execute(asl(TWO_STEPS), "machine", "exec-2", json("{\"k\": 1}"));
    JsonNode doc = json(store.text("hist", "history/machine/exec-2.json"));
    assertThat(doc.get("executionArn").textValue()).isEqualTo(result.executionArn());
    assertThat(doc.get("stateMachineArn").textValue()).isEqualTo("arn:aws:states:us-east-1:000000000000:stateMachine:machine");
    assertThat(doc.get("status").textValue()).isEqualTo("SUCCEEDED");
    assertThat(doc.get("input")).isEqualTo(json("{\"k\": 1}"));
    assertThat(doc.get("output")).isEqualTo(result.output());
    assertThat(doc.get("events")).hasSize(result.history().size());
    for (int i = 0; i < result.history().size(); i++) {
      HistoryEvent event = result.history().get(i);
      JsonNode written = doc.get("events").get(i);
      assertThat(written.get("id").asLong()).isEqualTo(event.id());
      assertThat(written.get("type").textValue()).isEqualTo(event.type());
      assertThat(Instant.parse(written.get("timestamp").textValue())).isEqualTo(event.timestamp());
      assertThat(written.get("details")).isEqualTo(event.details());
    }
    assertThat(store.contentTypes()).containsOnly("application/json");
  }

  @Test
  void aFailedExecutionsHistoryCarriesItsErrorAndCause() {
    String asl = "{\"StartAt\": \"F\", \"States\": {\"F\": {\"Type\": \"Fail\", \"Error\": \"E.Bad\", \"Cause\": \"why\"}}}";
    runner(new Sfn.SteppingClock()).execute(asl(asl), "machine", "exec-3", json("{}"));
    JsonNode doc = json(store.text("hist", "history/machine/exec-3.json"));
    assertThat(doc.get("status").textValue()).isEqualTo("FAILED");
    assertThat(doc.get("error").textValue()).isEqualTo("E.Bad");
    assertThat(doc.get("cause").textValue()).isEqualTo("why");
    assertThat(doc.has("output")).isFalse();
  }

  @Test
  void aHistoryThatCannotBeWrittenIsAnError() {
    ObjectStore refusing =
        new ObjectStore() {
          @Override
          public byte[] get(String bucket, String key) throws NoSuchObjectException {
            throw new NoSuchObjectException(bucket, key);
          }

          @Override
          public void put(String bucket, String key, byte[] bytes, String contentType) {
            // Fault injection: the history bucket refuses writes.
            throw new IllegalStateException("Access Denied");
          }
        };
    LocalStepFunctions runner =
        new LocalStepFunctions(IDENTITY, refusing, new RunnerOptions(0, 1, Optional.of("hist"), "h/", new Sfn.SteppingClock()));
    assertThatThrownBy(() -> runner.execute(asl(TWO_STEPS), "machine", "exec-4", json("{}")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "cannot write the history of execution arn:aws:states:us-east-1:000000000000:execution:machine:exec-4 to s3://hist/h/machine/exec-4.json: Access Denied");
  }

  @Test
  void theContextStartTimeIsTheInjectedClocksTime() {
    String asl = "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"Parameters\": {\"t.$\": \"$$.Execution.StartTime\"}, \"End\": true}}}";
    ExecutionResult result = runner(Clock.fixed(NOW, ZoneOffset.UTC)).execute(asl(asl), "machine", "exec-5", json("{}"));
    assertThat(result.output()).isEqualTo(json("{\"t\": \"2026-03-01T02:03:04.005Z\"}"));
  }

  @Test
  void namesAwsWouldRefuseAreRefusedBeforeTheRun() {
    LocalStepFunctions runner = Sfn.runner(IDENTITY);
    assertThatThrownBy(() -> runner.execute(asl(TWO_STEPS), "machine", "has space", json("{}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "execution name must be 1 to 80 characters without whitespace, brackets, wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /, got 'has space'");
    assertThatThrownBy(() -> runner.execute(asl(TWO_STEPS), "a/b", "ok", json("{}")))
        .hasMessageStartingWith("state machine name must be 1 to 80 characters");
    assertThatThrownBy(() -> runner.execute(asl(TWO_STEPS), "machine", "x".repeat(81), json("{}")))
        .hasMessageStartingWith("execution name must be 1 to 80 characters");
  }
}
