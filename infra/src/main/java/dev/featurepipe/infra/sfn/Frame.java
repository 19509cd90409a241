package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.infra.sfn.Execution.Aborted;
import dev.featurepipe.infra.sfn.Execution.Failed;
import dev.featurepipe.infra.sfn.Execution.Outcome;
import dev.featurepipe.infra.sfn.Execution.Succeeded;
import dev.featurepipe.infra.sfn.Model.And;
import dev.featurepipe.infra.sfn.Model.Catcher;
import dev.featurepipe.infra.sfn.Model.ChoiceBranch;
import dev.featurepipe.infra.sfn.Model.ChoiceState;
import dev.featurepipe.infra.sfn.Model.Compare;
import dev.featurepipe.infra.sfn.Model.FailState;
import dev.featurepipe.infra.sfn.Model.MapState;
import dev.featurepipe.infra.sfn.Model.Not;
import dev.featurepipe.infra.sfn.Model.Or;
import dev.featurepipe.infra.sfn.Model.ParallelState;
import dev.featurepipe.infra.sfn.Model.PassState;
import dev.featurepipe.infra.sfn.Model.Retrier;
import dev.featurepipe.infra.sfn.Model.Rule;
import dev.featurepipe.infra.sfn.Model.State;
import dev.featurepipe.infra.sfn.Model.SucceedState;
import dev.featurepipe.infra.sfn.Model.TaskState;
import dev.featurepipe.infra.sfn.Model.WaitState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One sequential flow of states inside an execution: the top level, one Map iteration or one
 * Parallel branch. A frame is used by one thread at a time; concurrent iterations get their own.
 */
final class Frame {

  private final Execution exec;
  private final String path;
  private final Cancellation cancellation;
  private final Map<String, Integer> visits = new HashMap<>();
  private long lastEventId;

  /** How a state hands over: to another state, to the end of the flow, or out of it. */
  private sealed interface Step permits Next, End, Stop {}

  private record Next(String state, JsonNode output) implements Step {}

  private record End(JsonNode output) implements Step {}

  private record Stop(Outcome outcome) implements Step {}

  /** A state as entered: the event and time the context object and error messages refer to. */
  record Entered(State state, String path, long eventId, Instant time) {
    String name() {
      return state.name();
    }
  }

  /** Unwinds a flow whose cancellation fired while it waited. */
  static final class AbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AbortedException() {
      super("aborted", null, false, false);
    }
  }

  Frame(Execution exec, String path, Cancellation cancellation, long lastEventId) {
    this.exec = exec;
    this.path = path;
    this.cancellation = cancellation;
    this.lastEventId = lastEventId;
  }

  long lastEventId() {
    return lastEventId;
  }

  Execution execution() {
    return exec;
  }

  Cancellation cancellation() {
    return cancellation;
  }

  long event(String type, String stateName, ObjectNode details) {
    lastEventId = exec.history.add(lastEventId, type, stateName, details);
    return lastEventId;
  }

  Outcome run(Model.Body body, JsonNode input) {
    String current = body.startAt();
    JsonNode data = input;
    try {
      while (true) {
        if (cancellation.isCancelled()) {
          return Execution.ABORTED;
        }
        Step step = runState(body.states().get(current), data);
        switch (step) {
          case Next next -> {
            current = next.state();
            data = next.output();
          }
          case End end -> {
            return new Succeeded(end.output());
          }
          case Stop stop -> {
            return stop.outcome();
          }
        }
      }
    } catch (AbortedException e) {
      return Execution.ABORTED;
    }
  }

  private Step runState(State state, JsonNode raw) {
    int visit = visits.merge(state.name(), 1, Integer::sum);
    String statePath = (path.isEmpty() ? "" : path + "/") + state.name() + (visit > 1 ? "#" + visit : "");
    Instant enteredAt = exec.engine.options().clock().instant();
    ObjectNode details = Json.object();
    details.put("name", state.name());
    details.set("input", raw);
    long id = event(state.eventPrefix() + "StateEntered", state.name(), details);
    Entered entered = new Entered(state, statePath, id, enteredAt);
    try {
      return switch (state) {
        case PassState pass -> exited(entered, pass.next(), pass(pass, raw, entered));
        case ChoiceState choice -> choice(choice, raw, entered);
        case WaitState wait -> exited(entered, wait.next(), waitState(wait, raw, entered));
        case SucceedState succeed -> exited(entered, null, succeed(succeed, raw, entered));
        case FailState fail -> fail(fail, raw, entered);
        case TaskState task ->
            retrying(entered, raw, task.retry(), task.catchers(), task.next(), retry -> task(task, raw, entered, retry));
        case ParallelState parallel ->
            retrying(
                entered, raw, parallel.retry(), parallel.catchers(), parallel.next(),
                retry -> parallel(parallel, raw, entered, retry));
        case MapState map ->
            retrying(
                entered, raw, map.retry(), map.catchers(), map.next(),
                retry -> map.distributed() ? DistributedMap.run(this, map, raw, entered, retry) : inlineMap(map, raw, entered, retry));
      };
    } catch (StateFailure failure) {
      StateFailure reported = prefixed(failure, entered);
      return new Stop(new Failed(reported.error(), reported.cause()));
    }
  }

  private Step exited(Entered entered, String next, JsonNode output) {
    ObjectNode details = Json.object();
    details.put("name", entered.name());
    details.set("output", output);
    event(entered.state().eventPrefix() + "StateExited", entered.name(), details);
    return next == null ? new End(output) : new Next(next, output);
  }

  @FunctionalInterface
  private interface Attempt {
    JsonNode run(int retryCount) throws StateFailure;
  }

  /**
   * Runs a Task, Map or Parallel attempt with its retriers and catchers. The first retrier whose
   * {@code ErrorEquals} matches decides; once its attempts are used up the error goes to the
   * catchers (later retriers are not consulted, as in AWS).
   */
  private Step retrying(
      Entered entered, JsonNode raw, List<Retrier> retriers, List<Catcher> catchers, String next, Attempt attempt)
      throws StateFailure {
    int retryCount = 0;
    int[] used = new int[retriers.size()];
    Random jitter = null;
    while (true) {
      StateFailure failure;
      try {
        return exited(entered, next, attempt.run(retryCount));
      } catch (StateFailure f) {
        failure = prefixed(f, entered);
      }
      int index = matchingRetrier(retriers, failure.error());
      if (index >= 0 && used[index] < retriers.get(index).maxAttempts()) {
        Retrier retrier = retriers.get(index);
        if (jitter == null) {
          jitter = exec.random(entered.path() + "|jitter");
        }
        double delay = retryDelaySeconds(retrier, used[index], jitter);
        used[index]++;
        retryCount++;
        pause(delay);
        continue;
      }
      for (Catcher catcher : catchers) {
        if (StateFailure.matches(catcher.errorEquals(), failure.error())) {
          ObjectNode errorOutput = Json.object();
          Execution.putIfPresent(errorOutput, "Error", failure.error());
          Execution.putIfPresent(errorOutput, "Cause", failure.cause());
          JsonNode output;
          try {
            output = resultPath(catcher.resultPath(), raw, errorOutput);
            checkSize(output, entered, "output");
          } catch (StateFailure f) {
            throw prefixed(f, entered);
          }
          return new Next(catcher.next(), output);
        }
      }
      throw failure;
    }
  }

  /**
   * The wait before retry number {@code retriesSoFar + 1} of a retrier: {@code IntervalSeconds *
   * BackoffRate^retriesSoFar}, capped at {@code MaxDelaySeconds}; with {@code JitterStrategy FULL}, a
   * uniformly random share of that (AWS: "a random number between 0 and the computed backoff").
   */
  static double retryDelaySeconds(Retrier retrier, int retriesSoFar, Random jitter) {
    double delay = retrier.intervalSeconds() * Math.pow(retrier.backoffRate(), retriesSoFar);
    if (retrier.maxDelaySeconds() != null) {
      delay = Math.min(delay, retrier.maxDelaySeconds());
    }
    return retrier.fullJitter() ? jitter.nextDouble() * delay : delay;
  }

  private static int matchingRetrier(List<Retrier> retriers, String error) {
    for (int i = 0; i < retriers.size(); i++) {
      if (StateFailure.matches(retriers.get(i).errorEquals(), error)) {
        return i;
      }
    }
    return -1;
  }

  /** Sleeps {@code seconds} scaled by {@link RunnerOptions#timeScale()}, unless the flow is cancelled. */
  private void pause(double seconds) {
    long millis = Math.round(seconds * 1000 * exec.engine.options().timeScale());
    if (cancellation.sleep(millis)) {
      throw new AbortedException();
    }
  }

  // ---- Pass, Choice, Wait, Succeed, Fail ----

  private JsonNode pass(PassState pass, JsonNode raw, Entered entered) throws StateFailure {
    JsonNode context = context(entered, 0);
    JsonNode effective = inputPath(pass.inputPath(), raw, context, entered);
    JsonNode result;
    if (pass.result() != null) {
      result = pass.result();
    } else if (pass.parameters() != null) {
      result = pass.parameters().evaluate(env(effective, context, entered, "Parameters"));
      checkSize(result, entered, "input after Parameters");
    } else {
      result = effective;
    }
    return finish(pass.resultPath(), pass.outputPath(), raw, result, context, entered);
  }

  private Step choice(ChoiceState choice, JsonNode raw, Entered entered) throws StateFailure {
    JsonNode context = context(entered, 0);
    JsonNode effective = inputPath(choice.inputPath(), raw, context, entered);
    String next = choice.defaultNext();
    for (ChoiceBranch branch : choice.choices()) {
      if (matches(branch.rule(), effective, context, entered)) {
        next = branch.next();
        break;
      }
    }
    if (next == null) {
      throw new StateFailure(StateFailure.NO_CHOICE_MATCHED, "No Matches!");
    }
    JsonNode output = outputPath(choice.outputPath(), effective, context, entered);
    checkSize(output, entered, "output");
    return exited(entered, next, output);
  }

  private boolean matches(Rule rule, JsonNode input, JsonNode context, Entered entered) throws StateFailure {
    switch (rule) {
      case And and -> {
        for (Rule each : and.rules()) {
          if (!matches(each, input, context, entered)) {
            return false;
          }
        }
        return true;
      }
      case Or or -> {
        for (Rule each : or.rules()) {
          if (matches(each, input, context, entered)) {
            return true;
          }
        }
        return false;
      }
      case Not not -> {
        return !matches(not.rule(), input, context, entered);
      }
      case Compare compare -> {
        return compare(compare, input, context, entered);
      }
    }
  }

  private boolean compare(Compare rule, JsonNode input, JsonNode context, Entered entered) throws StateFailure {
    Optional<JsonNode> variable = rule.variable().read(input, context);
    String operator = rule.operator();
    if (operator.equals("IsPresent")) {
      return variable.isPresent() == rule.expected().booleanValue();
    }
    if (variable.isEmpty()) {
      throw runtime(
          entered, "Invalid path '" + rule.variable() + "': The choice state's condition path references an invalid value.");
    }
    JsonNode value = variable.get();
    switch (operator) {
      case "IsNull" -> {
        return value.isNull() == rule.expected().booleanValue();
      }
      case "IsNumeric" -> {
        return value.isNumber() == rule.expected().booleanValue();
      }
      case "IsString" -> {
        return value.isTextual() == rule.expected().booleanValue();
      }
      case "IsBoolean" -> {
        return value.isBoolean() == rule.expected().booleanValue();
      }
      case "IsTimestamp" -> {
        boolean timestamp = value.isTextual() && Timestamps.parse(value.textValue()) != null;
        return timestamp == rule.expected().booleanValue();
      }
      case "StringMatches" -> {
        return value.isTextual() && rule.pattern().matcher(value.textValue()).matches();
      }
      default -> {}
    }
    JsonNode operand = rule.expected();
    String base = operator;
    if (rule.expectedPath() != null) {
      base = operator.substring(0, operator.length() - "Path".length());
      Optional<JsonNode> read = rule.expectedPath().read(input, context);
      if (read.isEmpty()) {
        throw runtime(
            entered,
            "Invalid path '" + rule.expectedPath() + "': The choice state's condition path references an invalid value.");
      }
      operand = read.get();
    }
    // Operands of the wrong type make the comparison false rather than an error, as in AWS.
    if (base.startsWith("String")) {
      return value.isTextual() && operand.isTextual() && holds(base, value.textValue().compareTo(operand.textValue()));
    }
    if (base.startsWith("Numeric")) {
      return value.isNumber() && operand.isNumber() && holds(base, value.decimalValue().compareTo(operand.decimalValue()));
    }
    if (base.equals("BooleanEquals")) {
      return value.isBoolean() && operand.isBoolean() && value.booleanValue() == operand.booleanValue();
    }
    if (base.startsWith("Timestamp")) {
      Instant left = value.isTextual() ? Timestamps.parse(value.textValue()) : null;
      Instant right = operand.isTextual() ? Timestamps.parse(operand.textValue()) : null;
      return left != null && right != null && holds(base, left.compareTo(right));
    }
    throw new IllegalStateException("[BUG] unhandled choice operator " + operator);
  }

  private static boolean holds(String operator, int comparison) {
    if (operator.endsWith("GreaterThanEquals")) {
      return comparison >= 0;
    }
    if (operator.endsWith("LessThanEquals")) {
      return comparison <= 0;
    }
    if (operator.endsWith("GreaterThan")) {
      return comparison > 0;
    }
    if (operator.endsWith("LessThan")) {
      return comparison < 0;
    }
    return comparison == 0;
  }

  private JsonNode waitState(WaitState wait, JsonNode raw, Entered entered) throws StateFailure {
    JsonNode context = context(entered, 0);
    JsonNode effective = inputPath(wait.inputPath(), raw, context, entered);
    double seconds;
    if (wait.seconds() != null) {
      seconds = wait.seconds();
    } else if (wait.secondsPath() != null) {
      JsonNode value = wait.secondsPath().read(effective, context).orElse(null);
      if (value == null || !value.canConvertToExactIntegral() || value.asLong() < 0) {
        throw runtime(
            entered, "The SecondsPath parameter does not reference a valid non-negative integer: " + wait.secondsPath());
      }
      seconds = value.asLong();
    } else {
      Instant target = wait.timestamp();
      if (target == null) {
        JsonNode value = wait.timestampPath().read(effective, context).orElse(null);
        target = value != null && value.isTextual() ? Timestamps.parse(value.textValue()) : null;
        if (target == null) {
          throw runtime(
              entered, "The TimestampPath parameter does not reference a valid ISO-8601 timestamp: " + wait.timestampPath());
        }
      }
      Instant now = exec.engine.options().clock().instant();
      seconds = Math.max(0, Duration.between(now, target).toMillis() / 1000.0);
    }
    pause(seconds);
    JsonNode output = outputPath(wait.outputPath(), effective, context, entered);
    checkSize(output, entered, "output");
    return output;
  }

  private JsonNode succeed(SucceedState succeed, JsonNode raw, Entered entered) throws StateFailure {
    JsonNode context = context(entered, 0);
    JsonNode effective = inputPath(succeed.inputPath(), raw, context, entered);
    JsonNode output = outputPath(succeed.outputPath(), effective, context, entered);
    checkSize(output, entered, "output");
    return output;
  }

  private Step fail(FailState fail, JsonNode raw, Entered entered) throws StateFailure {
    JsonNode context = context(entered, 0);
    String error = fail.error();
    String cause = fail.cause();
    if (fail.errorPath() != null) {
      error = failText(fail.errorPath(), "ErrorPath", raw, context, entered);
    }
    if (fail.causePath() != null) {
      cause = failText(fail.causePath(), "CausePath", raw, context, entered);
    }
    return new Stop(new Failed(error, cause));
  }

  private String failText(PayloadTemplate expression, String field, JsonNode raw, JsonNode context, Entered entered)
      throws StateFailure {
    JsonNode value = expression.evaluate(env(raw, context, entered, field));
    if (!value.isTextual()) {
      throw runtime(entered, "The " + field + " must resolve to a string, got " + Json.typeName(value));
    }
    return value.textValue();
  }

  // ---- Task ----

  private JsonNode task(TaskState task, JsonNode raw, Entered entered, int retryCount) throws StateFailure {
    JsonNode context = context(entered, retryCount);
    JsonNode effective = inputPath(task.inputPath(), raw, context, entered);
    JsonNode parameters =
        task.parameters() == null
            ? effective
            : task.parameters().evaluate(env(effective, context, entered, "Parameters@" + retryCount));
    checkSize(parameters, entered, "input after Parameters");
    String function;
    JsonNode payload;
    if (task.lambdaInvokeIntegration()) {
      JsonNode name = parameters.get("FunctionName");
      if (name == null || !name.isTextual()) {
        throw runtime(entered, "The field 'FunctionName' must be a string, got " + Json.typeName(name));
      }
      function = name.textValue();
      // Lambda's Invoke API hands a function "{}" when the request has no payload.
      payload = parameters.has("Payload") ? parameters.get("Payload") : Json.object();
    } else {
      function = task.resource();
      payload = parameters;
    }
    Integer timeout = task.timeoutSeconds();
    if (task.timeoutSecondsPath() != null) {
      JsonNode value = task.timeoutSecondsPath().read(effective, context).orElse(null);
      if (value == null || !value.canConvertToExactIntegral() || value.asLong() < 1 || !value.canConvertToInt()) {
        throw runtime(entered, "The TimeoutSecondsPath parameter does not reference a positive integer: " + task.timeoutSecondsPath());
      }
      timeout = value.asInt();
    }
    String prefix = task.lambdaInvokeIntegration() ? "Task" : "LambdaFunction";
    ObjectNode scheduled = resourceDetails(task);
    if (task.lambdaInvokeIntegration()) {
      scheduled.put("region", exec.engine.options().region());
      scheduled.set("parameters", parameters);
    } else {
      scheduled.set("input", payload);
    }
    if (timeout != null) {
      scheduled.put("timeoutInSeconds", timeout);
    }
    event(prefix + "Scheduled", task.name(), scheduled);
    event(prefix + "Started", task.name(), resourceDetails(task));
    InvocationInfo info = new InvocationInfo(exec.name, task.name(), retryCount + 1, entered.path());
    JsonNode output;
    try {
      output = invoke(function, payload, info, timeout);
    } catch (StateFailure failure) {
      ObjectNode failed = resourceDetails(task);
      Execution.putIfPresent(failed, "error", failure.error());
      Execution.putIfPresent(failed, "cause", failure.cause());
      event(prefix + (StateFailure.TIMEOUT.equals(failure.error()) ? "TimedOut" : "Failed"), task.name(), failed);
      throw failure;
    }
    JsonNode result = output;
    if (task.lambdaInvokeIntegration()) {
      ObjectNode wrapped = Json.object();
      wrapped.put("ExecutedVersion", "$LATEST");
      wrapped.set("Payload", output);
      wrapped.put("StatusCode", 200);
      result = wrapped;
    }
    ObjectNode succeeded = resourceDetails(task);
    succeeded.set("output", result);
    event(prefix + "Succeeded", task.name(), succeeded);
    checkSize(result, entered, "task result");
    JsonNode selected =
        task.resultSelector() == null
            ? result
            : task.resultSelector().evaluate(env(result, context, entered, "ResultSelector@" + retryCount));
    return finish(task.resultPath(), task.outputPath(), raw, selected, context, entered);
  }

  private static ObjectNode resourceDetails(TaskState task) {
    ObjectNode details = Json.object();
    if (task.lambdaInvokeIntegration()) {
      details.put("resourceType", "lambda");
      details.put("resource", "invoke");
    } else {
      details.put("resource", task.resource());
    }
    return details;
  }

  /**
   * Calls the invoker, on its own thread when a timeout applies. A timed-out handler thread is
   * interrupted and abandoned (Java cannot stop it); it keeps running until it returns.
   */
  private JsonNode invoke(String function, JsonNode payload, InvocationInfo info, Integer timeoutSeconds)
      throws StateFailure {
    // The invoker gets its own copy: a stand-in that mutates its input must not change ours.
    JsonNode ownPayload = payload.deepCopy();
    if (timeoutSeconds == null) {
      return callInvoker(function, ownPayload, info);
    }
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    Thread thread =
        Thread.ofPlatform()
            .daemon()
            .name("sfn-task-" + info.stateName())
            .start(
                () -> {
                  try {
                    result.complete(callInvoker(function, ownPayload, info));
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                });
    try {
      return result.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      thread.interrupt();
      throw new StateFailure(
          StateFailure.TIMEOUT, "The task did not finish within its TimeoutSeconds of " + timeoutSeconds + " seconds");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AbortedException();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StateFailure failure) {
        throw failure;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("[BUG] task invocation failed unexpectedly", e.getCause());
    }
  }

  private JsonNode callInvoker(String function, JsonNode payload, InvocationInfo info) throws StateFailure {
    JsonNode output;
    try {
      output = exec.engine.invoker().invoke(function, payload, info);
    } catch (TaskFailure failure) {
      throw new StateFailure(failure.error(), failure.cause());
    } catch (RuntimeException e) {
      // An invoker that throws instead of reporting a TaskFailure is treated like a Lambda
      // function throwing: the error is the exception class, as the Java runtime names it.
      throw new StateFailure(e.getClass().getName(), LambdaErrors.cause(e));
    }
    return output == null ? Json.NODES.nullNode() : output;
  }

  // ---- Parallel and inline Map ----

  private JsonNode parallel(ParallelState parallel, JsonNode raw, Entered entered, int retryCount) throws StateFailure {
    JsonNode context = context(entered, retryCount);
    JsonNode effective = inputPath(parallel.inputPath(), raw, context, entered);
    JsonNode input =
        parallel.parameters() == null
            ? effective
            : parallel.parameters().evaluate(env(effective, context, entered, "Parameters@" + retryCount));
    checkSize(input, entered, "input after Parameters");
    long startedId = event("ParallelStateStarted", parallel.name(), Json.object());
    String prefix = entered.path() + (retryCount > 0 ? "@" + (retryCount + 1) : "");
    int branches = parallel.branches().size();
    Cancellation group = cancellation.child();
    List<Outcome> outcomes;
    try {
      outcomes =
          Concurrency.run(
              branches,
              Math.min(branches, exec.engine.options().maxParallelism()),
              group,
              parallel.name(),
              i -> new Frame(exec, prefix + "{" + i + "}", group.child(), startedId).run(parallel.branches().get(i), input),
              (i, outcome) -> outcome instanceof Failed,
              Execution.ABORTED);
    } finally {
      group.close();
    }
    ArrayNode results = collect(outcomes, "ParallelStateFailed", parallel.name());
    event("ParallelStateSucceeded", parallel.name(), Json.object());
    JsonNode selected =
        parallel.resultSelector() == null
            ? results
            : parallel.resultSelector().evaluate(env(results, context, entered, "ResultSelector@" + retryCount));
    return finish(parallel.resultPath(), parallel.outputPath(), raw, selected, context, entered);
  }

  private JsonNode inlineMap(MapState map, JsonNode raw, Entered entered, int retryCount) throws StateFailure {
    JsonNode context = context(entered, retryCount);
    JsonNode effective = inputPath(map.inputPath(), raw, context, entered);
    ArrayNode items = items(map, effective, context, entered);
    int concurrency = concurrency(map, effective, context, entered);
    ObjectNode started = Json.object();
    started.put("length", items.size());
    long startedId = event("MapStateStarted", map.name(), started);
    List<JsonNode> inputs = itemInputs(map, items, effective, context, entered, retryCount);
    String prefix = entered.path() + (retryCount > 0 ? "@" + (retryCount + 1) : "");
    Cancellation group = cancellation.child();
    List<Outcome> outcomes;
    try {
      outcomes =
          Concurrency.run(
              inputs.size(),
              concurrency,
              group,
              map.name(),
              i -> iteration(map, i, inputs.get(i), prefix, group, startedId),
              (i, outcome) -> outcome instanceof Failed,
              Execution.ABORTED);
    } finally {
      group.close();
    }
    ArrayNode results = collect(outcomes, "MapStateFailed", map.name());
    event("MapStateSucceeded", map.name(), Json.object());
    JsonNode selected =
        map.resultSelector() == null
            ? results
            : map.resultSelector().evaluate(env(results, context, entered, "ResultSelector@" + retryCount));
    return finish(map.resultPath(), map.outputPath(), raw, selected, context, entered);
  }

  private Outcome iteration(MapState map, int index, JsonNode input, String prefix, Cancellation group, long startedId) {
    Frame frame = new Frame(exec, prefix + "[" + index + "]", group.child(), startedId);
    ObjectNode details = Json.object();
    details.put("name", map.name());
    details.put("index", index);
    frame.event("MapIterationStarted", map.name(), details);
    Outcome outcome = frame.run(map.processor(), input);
    ObjectNode end = details.deepCopy();
    String type =
        switch (outcome) {
          case Succeeded ignored -> "MapIterationSucceeded";
          case Failed failed -> {
            Execution.putIfPresent(end, "error", failed.error());
            Execution.putIfPresent(end, "cause", failed.cause());
            yield "MapIterationFailed";
          }
          case Aborted ignored -> "MapIterationAborted";
        };
    frame.event(type, map.name(), end);
    frame.cancellation.close();
    return outcome;
  }

  /**
   * The iteration results in index order, or the failure of the lowest-numbered failed iteration
   * (AWS reports whichever failed first; with concurrent iterations that is timing, so the local
   * runner picks by index to stay reproducible).
   */
  private ArrayNode collect(List<Outcome> outcomes, String failedEvent, String stateName) throws StateFailure {
    ArrayNode results = Json.NODES.arrayNode();
    Failed firstFailure = null;
    for (Outcome outcome : outcomes) {
      if (outcome instanceof Failed failed && firstFailure == null) {
        firstFailure = failed;
      } else if (outcome instanceof Succeeded succeeded) {
        results.add(succeeded.output());
      }
    }
    if (firstFailure != null) {
      ObjectNode details = Json.object();
      Execution.putIfPresent(details, "error", firstFailure.error());
      Execution.putIfPresent(details, "cause", firstFailure.cause());
      event(failedEvent, stateName, details);
      throw new StateFailure(firstFailure.error(), firstFailure.cause());
    }
    if (cancellation.isCancelled() || results.size() != outcomes.size()) {
      throw new AbortedException();
    }
    return results;
  }

  ArrayNode items(MapState map, JsonNode effective, JsonNode context, Entered entered) throws StateFailure {
    JsonNode items = map.itemsPath().read(effective, context).orElse(null);
    if (!(items instanceof ArrayNode array)) {
      throw runtime(
          entered,
          "The ItemsPath '" + map.itemsPath() + "' must reference a JSON array, got " + Json.typeName(items) + " in the input '"
              + Json.preview(effective) + "'");
    }
    return array;
  }

  /** MaxConcurrency(Path), where 0 means "no limit" and the runner's maxParallelism is the ceiling. */
  int concurrency(MapState map, JsonNode effective, JsonNode context, Entered entered) throws StateFailure {
    int declared = map.maxConcurrency() == null ? 0 : map.maxConcurrency();
    if (map.maxConcurrencyPath() != null) {
      declared = nonNegativeInt(map.maxConcurrencyPath(), "MaxConcurrencyPath", effective, context, entered);
    }
    int ceiling = exec.engine.options().maxParallelism();
    return declared == 0 ? ceiling : Math.min(declared, ceiling);
  }

  /** Each item through ItemSelector (with {@code $$.Map.Item}), size-checked. */
  List<JsonNode> itemInputs(
      MapState map, ArrayNode items, JsonNode effective, JsonNode context, Entered entered, int retryCount)
      throws StateFailure {
    List<JsonNode> inputs = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonNode input = items.get(i);
      if (map.itemSelector() != null) {
        ObjectNode itemContext = Json.object();
        context.properties().forEach(e -> itemContext.set(e.getKey(), e.getValue()));
        ObjectNode item = itemContext.putObject("Map").putObject("Item");
        item.put("Index", i);
        item.set("Value", items.get(i));
        input = map.itemSelector().evaluate(env(effective, itemContext, entered, "ItemSelector@" + retryCount + "[" + i + "]"));
      }
      checkSize(input, entered, "input for item " + i);
      inputs.add(input);
    }
    return inputs;
  }

  int nonNegativeInt(JsonPath path, String field, JsonNode effective, JsonNode context, Entered entered)
      throws StateFailure {
    JsonNode value = path.read(effective, context).orElse(null);
    if (value == null || !value.canConvertToExactIntegral() || !value.canConvertToInt() || value.asInt() < 0) {
      throw runtime(
          entered,
          "The " + field + " '" + path + "' must reference a non-negative integer, got "
              + (value == null ? "nothing" : Json.compact(value)));
    }
    return value.asInt();
  }

  // ---- Input and output processing ----

  JsonNode context(Entered entered, int retryCount) {
    ObjectNode context = Json.object();
    context.set("Execution", exec.executionContext);
    ObjectNode state = context.putObject("State");
    state.put("EnteredTime", Json.isoMillis(entered.time()));
    state.put("Name", entered.name());
    state.put("RetryCount", retryCount);
    context.set("StateMachine", exec.stateMachineContext);
    return context;
  }

  Intrinsic.Env env(JsonNode input, JsonNode context, Entered entered, String purpose) {
    return new Intrinsic.Env(input, context, exec.random(entered.path() + "|" + purpose));
  }

  JsonNode inputPath(JsonPath path, JsonNode raw, JsonNode context, Entered entered) throws StateFailure {
    if (path == null) {
      return Json.object();
    }
    return path.read(raw, context)
        .orElseThrow(
            () -> runtime(entered, "Invalid path '" + path + "' : No results for path in the input '" + Json.preview(raw) + "'"));
  }

  private JsonNode outputPath(JsonPath path, JsonNode output, JsonNode context, Entered entered) throws StateFailure {
    if (path == null) {
      return Json.object();
    }
    return path.read(output, context)
        .orElseThrow(
            () -> runtime(
                entered, "Invalid path '" + path + "' : No results for OutputPath in '" + Json.preview(output) + "'"));
  }

  private static JsonNode resultPath(JsonPath path, JsonNode raw, JsonNode result) throws StateFailure {
    if (path == null) {
      return raw;
    }
    try {
      return path.withValue(raw, result);
    } catch (IllegalStateException e) {
      throw new StateFailure(StateFailure.RESULT_PATH_MATCH_FAILURE, e.getMessage());
    }
  }

  /** ResultPath, then OutputPath, then the size check on what the state hands over. */
  JsonNode finish(JsonPath resultPath, JsonPath outputPath, JsonNode raw, JsonNode result, JsonNode context, Entered entered)
      throws StateFailure {
    JsonNode combined = resultPath(resultPath, raw, result);
    JsonNode output = outputPath(outputPath, combined, context, entered);
    checkSize(output, entered, "output");
    return output;
  }

  static void checkSize(JsonNode node, Entered entered, String what) throws StateFailure {
    long size = Json.utf8Size(node);
    if (size > Json.PAYLOAD_LIMIT_BYTES) {
      throw new StateFailure(
          StateFailure.DATA_LIMIT_EXCEEDED,
          "The " + what + " of state '" + entered.name() + "' is " + size + " bytes, over the "
              + Json.PAYLOAD_LIMIT_BYTES + "-byte (256 KiB) payload limit");
    }
  }

  static StateFailure runtime(Entered entered, String detail) {
    return prefixed(new StateFailure(StateFailure.RUNTIME, detail), entered);
  }

  /** AWS prefixes States.Runtime causes with the state and the id of its entered event. */
  private static StateFailure prefixed(StateFailure failure, Entered entered) {
    String lead = "An error occurred while executing the state '";
    if (!StateFailure.RUNTIME.equals(failure.error()) || failure.cause() == null || failure.cause().startsWith(lead)) {
      return failure;
    }
    return new StateFailure(
        StateFailure.RUNTIME,
        lead + entered.name() + "' (entered at the event id #" + entered.eventId() + "). " + failure.cause());
  }
}
