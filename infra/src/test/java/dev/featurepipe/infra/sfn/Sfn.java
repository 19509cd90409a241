package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Shared helpers for the runner's tests. */
final class Sfn {

  static final ObjectMapper MAPPER = new ObjectMapper();

  static final Instant START = Instant.parse("2026-03-01T02:00:00Z");

  private Sfn() {}

  static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StateMachineDefinition asl(String json) {
    return StateMachineDefinition.parse(json, Map.of());
  }

  /** No waiting, four threads, no history. */
  static RunnerOptions options() {
    return new RunnerOptions(0, 4, Optional.empty(), "", new SteppingClock());
  }

  static LocalStepFunctions runner(TaskInvoker invoker) {
    return new LocalStepFunctions(invoker, new InMemoryObjectStore(), options());
  }

  static ExecutionResult run(String asl, TaskInvoker invoker, String input) {
    return runner(invoker).execute(asl(asl), "test-machine", "test-execution", json(input));
  }

  /** An invoker for state machines without Task states. */
  static TaskInvoker noTasks() {
    return (ref, payload, info) -> {
      throw new AssertionError("unexpected task " + ref);
    };
  }

  /** The repository root: the nearest folder above the working directory with statemachines/. */
  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("statemachines"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no statemachines/ folder above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  /** A clock that moves one millisecond forward at every reading, so event times are ordered. */
  static final class SteppingClock extends Clock {
    private final AtomicLong millis = new AtomicLong(START.toEpochMilli());

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.getAndIncrement());
    }
  }
}
