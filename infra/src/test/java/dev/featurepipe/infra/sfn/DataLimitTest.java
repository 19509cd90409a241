package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.noTasks;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The 256 KiB payload quota: the design keeps payloads to S3 keys, and the runner holds it to that. */
class DataLimitTest {

  private static final int LIMIT = 256 * 1024;

  /** A JSON string whose compact serialisation is exactly {@code bytes} long (two quotes included). */
  private static String stringOf(int bytes) {
    return "x".repeat(bytes - 2);
  }

  /** Stand-in for Lambda: returns a string of the requested serialised size. */
  private static final TaskInvoker SIZED =
      (ref, payload, info) -> Json.NODES.textNode(stringOf(payload.get("bytes").asInt()));

  private static String task(String extra) {
    return """
        {"StartAt": "T", "States": {
          "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Big", %s "End": true},
          "Caught": {"Type": "Pass", "Result": "caught", "End": true}}}
        """.formatted(extra);
  }

  @Test
  void anOutputOfExactly256KiBPasses() {
    ExecutionResult result = run(task(""), SIZED, "{\"bytes\": " + LIMIT + "}");
    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(Json.utf8Size(result.output())).isEqualTo(LIMIT);
  }

  @Test
  void aTaskResultOneByteOverTheLimitFailsWithDataLimitExceeded() {
    ExecutionResult result = run(task(""), SIZED, "{\"bytes\": " + (LIMIT + 1) + "}");
    assertThat(result.error()).contains("States.DataLimitExceeded");
    assertThat(result.cause()).contains("The task result of state 'T' is 262145 bytes, over the 262144-byte (256 KiB) payload limit");
  }

  @Test
  void statesAllDoesNotCatchDataLimitExceededButItsOwnNameDoes() {
    String input = "{\"bytes\": " + (LIMIT + 10) + "}";
    ExecutionResult viaAll = run(task("\"Catch\": [{\"ErrorEquals\": [\"States.ALL\"], \"Next\": \"Caught\"}],"), SIZED, input);
    assertThat(viaAll.error()).contains("States.DataLimitExceeded");
    ExecutionResult named =
        run(task("\"Catch\": [{\"ErrorEquals\": [\"States.DataLimitExceeded\"], \"Next\": \"Caught\"}],"), SIZED, input);
    assertThat(named.output()).isEqualTo(json("\"caught\""));
  }

  @Test
  void aStateOutputOverTheLimitFailsEvenWhenTheResultAloneFits() {
    // The result fits, but placed next to the input the state's output does not.
    ExecutionResult result =
        run(task("\"ResultPath\": \"$.r\","), SIZED, "{\"bytes\": 200000, \"padding\": \"" + stringOf(100_000) + "\"}");
    assertThat(result.error()).contains("States.DataLimitExceeded");
    assertThat(result.cause()).hasValueSatisfying(c -> assertThat(c).startsWith("The output of state 'T' is "));
  }

  @Test
  void parametersThatBuildAnOversizedInputFail() {
    String asl =
        """
        {"StartAt": "P", "States": {"P": {"Type": "Pass",
          "Parameters": {"a.$": "$.s", "b.$": "$.s", "c.$": "$.s"}, "End": true}}}
        """;
    ExecutionResult result = run(asl, noTasks(), "{\"s\": \"" + stringOf(100_000) + "\"}");
    assertThat(result.error()).contains("States.DataLimitExceeded");
  }

  @Test
  void executionInputOverTheLimitIsRefusedBeforeAnythingRuns() {
    ObjectNode input = Json.object();
    input.put("s", stringOf(LIMIT));
    assertThatThrownBy(() -> Sfn.runner(noTasks()).execute(Sfn.asl(task("")), "m", "e", input))
        .isInstanceOf(IllegalArgumentException.class)
        // {"s": + the string + }
        .hasMessage("execution input is " + (5 + LIMIT + 1) + " bytes, over the 262144-byte (256 KiB) payload limit");
  }
}
