package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.asl;
import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InlineMapStateTest {

  private static final String DOUBLE = "arn:aws:lambda:us-east-1:123456789012:function:Double";

  private static String map(String fields, String task) {
    return """
        {"StartAt": "M", "States": {"M": {"Type": "Map", %s
          "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "T",
            "States": {"T": %s}}, "End": true}}}
        """.formatted(fields, task);
  }

  private static final String DOUBLE_TASK = "{\"Type\": \"Task\", \"Resource\": \"" + DOUBLE + "\", \"End\": true}";

  /** Stand-in for Lambda: doubles the input number after sleeping longer for earlier items. */
  private final List<InvocationInfo> calls = new CopyOnWriteArrayList<>();

  private final TaskInvoker doubler =
      (ref, payload, info) -> {
        calls.add(info);
        int n = payload.isNumber() ? payload.asInt() : payload.path("value").asInt();
        try {
          Thread.sleep(Math.max(0, 60 - 10L * n));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return Json.NODES.numberNode(n * 2);
      };

  @Test
  void resultsFollowItemOrderNotCompletionOrder() {
    ExecutionResult result = run(map("\"ItemsPath\": \"$.numbers\",", DOUBLE_TASK), doubler, "{\"numbers\": [1, 2, 3, 4, 5, 6]}");
    ArrayNode expected = Json.NODES.arrayNode();
    for (int n = 1; n <= 6; n++) {
      expected.add(n * 2);
    }
    assertThat(result.output()).isEqualTo(expected);
  }

  @Test
  void itemSelectorSeesTheStateInputAndTheMapItemContext() {
    String fields =
        """
        "ItemsPath": "$.items",
        "ItemSelector": {"value.$": "$$.Map.Item.Value.n", "index.$": "$$.Map.Item.Index", "run.$": "$.run"},
        """;
    String pass = "{\"Type\": \"Pass\", \"End\": true}";
    ExecutionResult result = run(map(fields, pass), doubler, "{\"run\": \"r1\", \"items\": [{\"n\": 7}, {\"n\": 8}]}");
    assertThat(result.output())
        .isEqualTo(json("[{\"value\": 7, \"index\": 0, \"run\": \"r1\"}, {\"value\": 8, \"index\": 1, \"run\": \"r1\"}]"));
  }

  @Test
  void legacyIteratorAndParametersStillWork() {
    String asl =
        """
        {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.numbers",
          "Parameters": {"value.$": "$$.Map.Item.Value"},
          "Iterator": {"StartAt": "T", "States": {"T": %s}}, "ResultPath": "$.doubled", "End": true}}}
        """.formatted(DOUBLE_TASK);
    ExecutionResult result = run(asl, doubler, "{\"numbers\": [3, 4]}");
    assertThat(result.output()).isEqualTo(json("{\"numbers\": [3, 4], \"doubled\": [6, 8]}"));
  }

  @Test
  void anEmptyArrayGivesAnEmptyResult() {
    assertThat(run(map("", DOUBLE_TASK), doubler, "[]").output()).isEqualTo(json("[]"));
  }

  @Test
  void itemsPathThatIsNotAnArrayFailsWithStatesRuntime() {
    ExecutionResult result = run(map("\"ItemsPath\": \"$.n\",", DOUBLE_TASK), doubler, "{\"n\": 1}");
    assertThat(result.error()).contains("States.Runtime");
    assertThat(result.cause()).hasValueSatisfying(c -> assertThat(c).contains("The ItemsPath '$.n' must reference a JSON array, got number"));
  }

  @Test
  @Timeout(30)
  void iterationsRunConcurrentlyButNeverAboveMaxConcurrency() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    // Three iterations must be inside the task at once for the barrier to open: proof of concurrency.
    CyclicBarrier three = new CyclicBarrier(3);
    TaskInvoker gated =
        (ref, payload, info) -> {
          peak.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            three.await(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new TaskFailure("Test.Barrier", "fewer than 3 iterations ran at once: " + e);
          } finally {
            running.decrementAndGet();
          }
          return payload;
        };
    ExecutionResult result =
        run(map("\"MaxConcurrencyPath\": \"$.limit\", \"ItemsPath\": \"$.items\",", DOUBLE_TASK), gated,
            "{\"limit\": 3, \"items\": [0, 1, 2, 3, 4, 5]}");
    assertThat(result.status()).as("%s", result.cause()).isEqualTo("SUCCEEDED");
    assertThat(peak.get()).isEqualTo(3);
  }

  @Test
  void maxConcurrencyOneRunsItemsOneAfterAnotherInOrder() {
    run(map("\"MaxConcurrency\": 1,", DOUBLE_TASK), doubler, "[1, 2, 3]");
    assertThat(calls).extracting(InvocationInfo::statePath).containsExactly("M[0]/T", "M[1]/T", "M[2]/T");
  }

  @Test
  void aFailedIterationFailsTheMapWithItsError() {
    TaskInvoker failOnTwo =
        (ref, payload, info) -> {
          if (payload.asInt() == 2) {
            throw new TaskFailure("Custom.Two", "item two");
          }
          return payload;
        };
    ExecutionResult result = run(map("", DOUBLE_TASK), failOnTwo, "[1, 2, 3]");
    assertThat(result.error()).contains("Custom.Two");
    assertThat(result.history()).extracting(HistoryEvent::type).contains("MapIterationFailed", "MapStateFailed");
  }

  @Test
  @Timeout(60)
  void aFailedIterationAbortsSiblingsThatAreStillWaiting() {
    // Real-time waits: without the abort the sleeping iterations would hold the test for an hour.
    // The failing iteration passes a gate only once both siblings have started (each marks itself
    // on the way to its Wait), so the siblings are running when it fails, however threads are
    // scheduled on a loaded machine.
    RunnerOptions realTime = new RunnerOptions(1.0, 4, Optional.empty(), "", new Sfn.SteppingClock());
    java.util.concurrent.CountDownLatch siblingsStarted = new java.util.concurrent.CountDownLatch(2);
    TaskInvoker gate = (ref, payload, info) -> {
      if (ref.endsWith(":mark")) {
        siblingsStarted.countDown();
        return payload;
      }
      try {
        if (!siblingsStarted.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
          throw new AssertionError("the sibling iterations never started");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted at the gate", e);
      }
      return payload;
    };
    String asl =
        """
        {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": {"StartAt": "Route", "States": {
          "Route": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "Gate"}], "Default": "Mark"},
          "Mark": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:mark", "Next": "Sleep"},
          "Sleep": {"Type": "Wait", "Seconds": 3600, "End": true},
          "Gate": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:gate", "Next": "Fail"},
          "Fail": {"Type": "Fail", "Error": "Custom.Zero"}}}, "End": true}}}
        """;
    ExecutionResult result =
        new LocalStepFunctions(gate, new InMemoryObjectStore(), realTime).execute(asl(asl), "m", "e", json("[1, 0, 2]"));
    assertThat(result.error()).contains("Custom.Zero");
    assertThat(result.history()).extracting(HistoryEvent::type).filteredOn("MapIterationAborted"::equals).hasSize(2);
  }

  @Test
  void mapEventsFrameEachIteration() {
    ExecutionResult result = run(map("\"MaxConcurrency\": 1,", "{\"Type\": \"Pass\", \"End\": true}"), doubler, "[1]");
    assertThat(result.history())
        .extracting(HistoryEvent::type)
        .containsExactly(
            "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted", "PassStateEntered",
            "PassStateExited", "MapIterationSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded");
    JsonNode iteration = result.history().get(3).details();
    assertThat(iteration).isEqualTo(json("{\"name\": \"M\", \"index\": 0}"));
  }
}
