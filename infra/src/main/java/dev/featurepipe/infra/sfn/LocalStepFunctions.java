package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Runs Amazon States Language state machines locally, the way Step Functions would: Task states
 * call a {@link TaskInvoker}, Distributed Maps read and write through an {@link ObjectStore}, and
 * every execution keeps an AWS-style event history.
 *
 * <p>Threads: {@link #execute} runs the top-level flow on the calling thread. Each Map or Parallel
 * state with more than one iteration and a concurrency above 1 starts a fixed pool of daemon
 * threads ({@code sfn-<state>-<n>}, at most {@link RunnerOptions#maxParallelism()}) and shuts it
 * down before the state finishes; a Task with {@code TimeoutSeconds} runs on its own daemon thread
 * ({@code sfn-task-<state>}). Nothing is left running when {@code execute} returns, except a task
 * thread that outlived its timeout.
 *
 * <p>Histories: with {@link RunnerOptions#historyBucket()} set, each execution's history is written
 * to {@code <historyPrefix><stateMachineName>/<executionName>.json} when it ends. Inline Map
 * iterations and Parallel branches are part of their execution's history, as in AWS; every
 * Distributed Map child is an execution of its own, written to {@code
 * <historyPrefix><stateMachineName>/<mapLabel>/<mapRunId>_<index>.json}.
 */
public final class LocalStepFunctions {

  /** AWS's rule for execution and state machine names: 1 to 80 characters, none of these. */
  private static final Pattern VALID_NAME = Pattern.compile("[^\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\p{Cntrl}]{1,80}");

  private final Engine engine;

  public LocalStepFunctions(TaskInvoker invoker, ObjectStore store, RunnerOptions options) {
    this.engine =
        new Engine(
            Objects.requireNonNull(invoker, "invoker"),
            Objects.requireNonNull(store, "store"),
            Objects.requireNonNull(options, "options"));
  }

  /**
   * Runs one execution to its end and returns how it ended. A failing execution is a result, not
   * an exception.
   *
   * @throws IllegalArgumentException for a name AWS would refuse or input over the 256 KiB quota
   *     (StartExecution rejects both before anything runs)
   * @throws IllegalStateException when the execution history cannot be written
   */
  public ExecutionResult execute(
      StateMachineDefinition definition, String stateMachineName, String executionName, JsonNode input) {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(input, "input");
    checkName("state machine name", stateMachineName);
    checkName("execution name", executionName);
    long size = Json.utf8Size(input);
    if (size > Json.PAYLOAD_LIMIT_BYTES) {
      throw new IllegalArgumentException(
          "execution input is " + size + " bytes, over the " + Json.PAYLOAD_LIMIT_BYTES + "-byte (256 KiB) payload limit");
    }
    Execution execution = new Execution(engine, stateMachineName, executionName, input.deepCopy(), new Cancellation());
    Execution.Outcome outcome = execution.run(definition.body(), null, definition.timeoutSeconds());
    return switch (outcome) {
      case Execution.Succeeded succeeded ->
          new ExecutionResult(
              execution.arn,
              ExecutionResult.SUCCEEDED,
              succeeded.output(),
              Optional.empty(),
              Optional.empty(),
              execution.history.events());
      case Execution.Failed failed ->
          new ExecutionResult(
              execution.arn,
              ExecutionResult.FAILED,
              null,
              Optional.ofNullable(failed.error()),
              Optional.ofNullable(failed.cause()),
              execution.history.events());
      case Execution.Aborted ignored ->
          throw new IllegalStateException("[BUG] a top-level execution cannot be aborted: " + execution.arn);
    };
  }

  private static void checkName(String what, String name) {
    if (name == null || !VALID_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " must be 1 to 80 characters without whitespace, brackets, wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /, got "
              + (name == null ? "null" : "'" + name + "'"));
    }
  }
}
