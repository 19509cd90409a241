package dev.featurepipe.infra.sfn;

import java.util.Objects;

/**
 * Where an invocation comes from.
 *
 * @param executionName the execution's name (a Distributed Map child's own name for its tasks)
 * @param stateName the Task state's name
 * @param attempt 1 for the first try, 2 for the first retry, and so on ({@code $$.State.RetryCount + 1})
 * @param statePath the state's unique place in the execution: enclosing Map iterations and Parallel
 *     branches, and a visit number when a loop enters the state again, e.g. {@code
 *     BuildAllFeatures[3]/BuildFeatures} or {@code Poll#2}. With {@code executionName} and {@code
 *     attempt} it identifies one invocation, so a deterministic request id can be derived from it.
 */
public record InvocationInfo(String executionName, String stateName, int attempt, String statePath) {

  public InvocationInfo {
    Objects.requireNonNull(executionName, "executionName");
    Objects.requireNonNull(stateName, "stateName");
    Objects.requireNonNull(statePath, "statePath");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
    }
  }

  /** For a state outside any Map or Parallel, entered once. */
  public InvocationInfo(String executionName, String stateName, int attempt) {
    this(executionName, stateName, attempt, stateName);
  }
}
