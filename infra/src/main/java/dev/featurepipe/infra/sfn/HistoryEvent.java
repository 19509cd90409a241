package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One event of an execution's history, shaped like AWS's {@code GetExecutionHistory} events.
 *
 * @param id 1-based, in the order the runner recorded them
 * @param previousEventId the event before this one in the same flow (0 for the first); Map
 *     iterations and Parallel branches run concurrently, so ids interleave between flows
 * @param type e.g. {@code ExecutionStarted}, {@code TaskStateEntered}, {@code MapIterationFailed}
 * @param stateName the state the event belongs to; empty for execution-level events
 * @param details AWS's event details (input, output, error, cause, resource, ...), as JSON
 */
public record HistoryEvent(
    long id, long previousEventId, Instant timestamp, String type, String stateName, JsonNode details) {

  public HistoryEvent {
    if (id < 1) {
      throw new IllegalArgumentException("id must be >= 1, got " + id);
    }
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(stateName, "stateName");
    Objects.requireNonNull(details, "details");
  }
}
