package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How an execution ended.
 *
 * @param status {@code SUCCEEDED} or {@code FAILED}
 * @param output the execution's output; JSON {@code null} when it failed
 * @param history the execution's events in id order (Inline Map iterations and Parallel branches
 *     included; Distributed Map children have their own histories)
 */
public record ExecutionResult(
    String executionArn,
    String status,
    JsonNode output,
    Optional<String> error,
    Optional<String> cause,
    List<HistoryEvent> history) {

  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";

  public ExecutionResult {
    Objects.requireNonNull(executionArn, "executionArn");
    if (!Set.of(SUCCEEDED, FAILED).contains(status)) {
      throw new IllegalArgumentException("status must be SUCCEEDED or FAILED, got " + status);
    }
    output = output == null ? NullNode.getInstance() : output;
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(cause, "cause");
    history = List.copyOf(history);
  }

  public boolean succeeded() {
    return SUCCEEDED.equals(status);
  }
}
