package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

/**
 * One execution: the top-level one {@link LocalStepFunctions#execute} starts, or a Distributed Map
 * child. Owns its history, its context object and its cancellation.
 */
final class Execution {

  /** The account id in every ARN; LocalStack and SAM local use the same kind of placeholder. */
  static final String ACCOUNT = "000000000000";

  /** The ASL ending of a flow. */
  sealed interface Outcome permits Succeeded, Failed, Aborted {}

  record Succeeded(JsonNode output) implements Outcome {}

  /** {@code error} and {@code cause} may be null: a Fail state need not name either. */
  record Failed(String error, String cause) implements Outcome {}

  record Aborted() implements Outcome {}

  static final Aborted ABORTED = new Aborted();

  final Engine engine;
  final String stateMachineName;
  final String stateMachineArn;
  final String name;
  final String arn;
  final JsonNode input;
  final Instant startTime;
  final History history;
  final Cancellation cancellation;
  final ObjectNode executionContext;
  final ObjectNode stateMachineContext;

  private volatile Instant stopTime;
  private volatile Outcome outcome;

  Execution(Engine engine, String stateMachineName, String name, JsonNode input, Cancellation cancellation) {
    this.engine = engine;
    this.stateMachineName = stateMachineName;
    this.stateMachineArn = engine.arn("stateMachine", stateMachineName);
    this.name = name;
    this.arn = engine.arn("execution", stateMachineName + ":" + name);
    this.input = Objects.requireNonNull(input, "input");
    this.startTime = engine.options().clock().instant();
    this.history = new History(engine.options().clock());
    this.cancellation = cancellation;
    this.executionContext = Json.object();
    executionContext.put("Id", arn);
    executionContext.set("Input", input);
    executionContext.put("Name", name);
    executionContext.put("RoleArn", "arn:aws:iam::" + ACCOUNT + ":role/local-step-functions");
    executionContext.put("StartTime", Json.isoMillis(startTime));
    executionContext.put("RedriveCount", 0);
    this.stateMachineContext = Json.object();
    stateMachineContext.put("Id", stateMachineArn);
    stateMachineContext.put("Name", stateMachineName);
  }

  /** Runs {@code body} to the end, records the closing event and writes the history if configured. */
  Outcome run(Model.Body body, String parentMapRunArn) {
    return run(body, parentMapRunArn, null);
  }

  /**
   * As {@link #run(Model.Body, String)}, failing with {@code States.Timeout} when the body has not
   * finished after {@code timeoutSeconds} (real seconds: like Task timeouts, not scaled). The
   * running task is not interrupted; the flow stops at its next state or wait, as on AWS, where a
   * timed-out execution stops scheduling states.
   */
  Outcome run(Model.Body body, String parentMapRunArn, Integer timeoutSeconds) {
    if (timeoutSeconds == null) {
      return runBody(body, parentMapRunArn, null);
    }
    java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
    Thread timer = Thread.ofPlatform().daemon().name("sfn-execution-timeout-" + name).start(() -> {
      try {
        Thread.sleep(timeoutSeconds * 1000L);
        timedOut.set(true);
        cancellation.cancel();
      } catch (InterruptedException e) {
        // The execution finished first.
      }
    });
    try {
      return runBody(body, parentMapRunArn, () -> timedOut.get()
          ? new Failed(StateFailure.TIMEOUT,
              "The execution did not finish within its TimeoutSeconds of " + timeoutSeconds + " seconds")
          : null);
    } finally {
      timer.interrupt();
    }
  }

  private Outcome runBody(Model.Body body, String parentMapRunArn, java.util.function.Supplier<Failed> timeout) {
    ObjectNode started = Json.object();
    started.set("input", input);
    started.put("roleArn", executionContext.get("RoleArn").asText());
    started.put("stateMachineArn", stateMachineArn);
    if (parentMapRunArn != null) {
      started.put("mapRunArn", parentMapRunArn);
    }
    long startedId = history.add(0, "ExecutionStarted", "", started);
    Frame root = new Frame(this, "", cancellation, startedId);
    Outcome result;
    long inputSize = Json.utf8Size(input);
    if (inputSize > Json.PAYLOAD_LIMIT_BYTES) {
      result =
          new Failed(
              StateFailure.DATA_LIMIT_EXCEEDED,
              "The execution input is " + inputSize + " bytes, over the " + Json.PAYLOAD_LIMIT_BYTES
                  + "-byte (256 KiB) payload limit");
    } else {
      result = root.run(body, input);
      Failed timedOut = timeout == null ? null : timeout.get();
      if (timedOut != null) {
        result = timedOut;
      }
    }
    ObjectNode details = Json.object();
    switch (result) {
      case Succeeded succeeded -> {
        details.set("output", succeeded.output());
        history.add(root.lastEventId(), "ExecutionSucceeded", "", details);
      }
      case Failed failed -> {
        putIfPresent(details, "error", failed.error());
        putIfPresent(details, "cause", failed.cause());
        history.add(root.lastEventId(), "ExecutionFailed", "", details);
      }
      case Aborted ignored -> history.add(root.lastEventId(), "ExecutionAborted", "", details);
    }
    this.stopTime = engine.options().clock().instant();
    this.outcome = result;
    engine.writeHistory(this);
    return result;
  }

  Instant stopTime() {
    return stopTime;
  }

  Outcome outcome() {
    return outcome;
  }

  String status() {
    return switch (outcome) {
      case Succeeded ignored -> "SUCCEEDED";
      case Failed ignored -> "FAILED";
      case Aborted ignored -> "ABORTED";
      case null -> "RUNNING";
    };
  }

  /**
   * A random source for one purpose in this execution, seeded from the execution's name and the
   * purpose, so a rerun with the same name draws the same numbers whatever the thread timing.
   */
  Random random(String purpose) {
    UUID seed = UUID.nameUUIDFromBytes((name + "|" + purpose).getBytes(StandardCharsets.UTF_8));
    return new Random(seed.getMostSignificantBits() ^ seed.getLeastSignificantBits());
  }

  static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}
