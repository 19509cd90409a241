package dev.featurepipe.tests.contract;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.errors.PipelineException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The contract between the typed errors and the state machines' Retry and Catch blocks.
 *
 * <ul>
 *   <li>Every ErrorEquals name other than {@code States.*} and {@code Lambda.*} is the fully
 *       qualified name of a concrete {@link PipelineException} (the Java Lambda runtime reports
 *       {@code getClass().getName()} as the error name).
 *   <li>A Retry names only retryable errors, and never a wildcard that would retry terminal ones.
 *   <li>Every terminal error is caught: by the Lambda Task itself or by an enclosing Map or
 *       Parallel, so a failed run always reaches its failure handler.
 * </ul>
 *
 * Any Lambda Task counts as able to raise any terminal error: which step throws which is code, and
 * a Catch that relied on it would break silently when the code changes.
 */
final class AslErrorContract {

  static final String ERRORS_PACKAGE = "dev.featurepipe.errors.";

  /**
   * A Distributed Map runs its items as child executions; when a child fails past the tolerated
   * failure threshold (0 unless set), the Map state fails with this error, not the child's.
   */
  static final String DISTRIBUTED_MAP_FAILURE = "States.ExceedToleratedFailureThreshold";

  private AslErrorContract() {}

  /** Every concrete PipelineException by name, with its retryable(); walks the sealed hierarchy. */
  static SortedMap<String, Boolean> pipelineErrors() {
    SortedMap<String, Boolean> errors = new TreeMap<>();
    collect(PipelineException.class, errors);
    return errors;
  }

  private static void collect(Class<?> type, Map<String, Boolean> errors) {
    if (type.isSealed()) {
      for (Class<?> sub : type.getPermittedSubclasses()) {
        collect(sub, errors);
      }
    } else if (!Modifier.isFinal(type.getModifiers())) {
      throw new IllegalStateException(type.getName() + " is neither final nor sealed, so its subclasses"
          + " (possible error names) cannot be listed: make it final or sealed");
    }
    if (!Modifier.isAbstract(type.getModifiers())) {
      errors.put(type.getName(), probe(type).retryable());
    }
  }

  private static PipelineException probe(Class<?> type) {
    try {
      Constructor<?> constructor = type.getConstructor(String.class);
      return (PipelineException) constructor.newInstance("contract probe");
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
      throw new IllegalStateException(type.getName() + " needs a public (String message) constructor", e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(type.getName() + "(String) threw", e.getCause());
    }
  }

  /** Violations in one state machine definition, one line each, sorted. */
  static List<String> violations(String file, JsonNode definition) {
    SortedMap<String, Boolean> errors = pipelineErrors();
    List<String> terminal = errors.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
    List<String> out = new ArrayList<>();
    walk(file, definition.path("States"), "", new ArrayDeque<>(), errors, terminal, out);
    out.sort(String::compareTo);
    return out;
  }

  /** An enclosing Map or Parallel state; errors leave a Distributed Map under another name. */
  private record Enclosing(JsonNode state, boolean distributed) {}

  private static void walk(String file, JsonNode states, String prefix, Deque<Enclosing> enclosing,
      SortedMap<String, Boolean> errors, List<String> terminal, List<String> out) {
    for (Map.Entry<String, JsonNode> entry : states.properties()) {
      String where = file + " " + prefix + entry.getKey();
      JsonNode state = entry.getValue();
      checkRetries(where, state.path("Retry"), errors, terminal, out);
      checkCatchNames(where, state.path("Catch"), errors, out);
      String type = state.path("Type").asText();
      if (type.equals("Task") && invokesLambda(state)) {
        List<String> uncaught = terminal.stream().filter(e -> !caught(e, state, enclosing)).toList();
        if (!uncaught.isEmpty()) {
          out.add(where + ": can raise terminal " + String.join(", ", uncaught) + " but no Catch handles "
              + (uncaught.size() == 1 ? "it" : "them")
              + " (add it, or States.ALL, to a Catch on this Task or on an enclosing Map/Parallel)");
        }
      } else if (type.equals("Map")) {
        JsonNode processor = state.has("ItemProcessor") ? state.get("ItemProcessor") : state.path("Iterator");
        boolean distributed = processor.path("ProcessorConfig").path("Mode").asText().equals("DISTRIBUTED");
        enclosing.push(new Enclosing(state, distributed));
        walk(file, processor.path("States"), prefix + entry.getKey() + "/", enclosing, errors, terminal, out);
        enclosing.pop();
      } else if (type.equals("Parallel")) {
        JsonNode branches = state.path("Branches");
        for (int i = 0; i < branches.size(); i++) {
          enclosing.push(new Enclosing(state, false));
          walk(file, branches.get(i).path("States"), prefix + entry.getKey() + "[" + i + "]/", enclosing, errors,
              terminal, out);
          enclosing.pop();
        }
      }
    }
  }

  private static boolean invokesLambda(JsonNode task) {
    String resource = task.path("Resource").asText();
    return resource.startsWith("arn:aws:states:::lambda:invoke")
        || resource.contains(":lambda:")
        || resource.matches("\\$\\{[^}]+}");
  }

  /** Whether the error leaving this Task is caught by it or, innermost first, by an enclosing state. */
  private static boolean caught(String error, JsonNode task, Deque<Enclosing> enclosing) {
    String name = error;
    if (catches(task, name)) {
      return true;
    }
    for (Enclosing e : enclosing) {
      if (e.distributed()) {
        name = DISTRIBUTED_MAP_FAILURE;
      }
      if (catches(e.state(), name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean catches(JsonNode state, String error) {
    for (JsonNode catcher : state.path("Catch")) {
      for (JsonNode n : catcher.path("ErrorEquals")) {
        String name = n.asText();
        // States.TaskFailed matches every error name except States.Timeout.
        if (name.equals(error) || name.equals("States.ALL")
            || (name.equals("States.TaskFailed") && !error.equals("States.Timeout"))) {
          return true;
        }
      }
    }
    return false;
  }

  private static void checkRetries(String where, JsonNode retry, SortedMap<String, Boolean> errors,
      List<String> terminal, List<String> out) {
    for (int i = 0; i < retry.size(); i++) {
      for (JsonNode n : retry.get(i).path("ErrorEquals")) {
        String name = n.asText();
        String at = where + " Retry[" + i + "]";
        if (name.equals("States.ALL") || name.equals("States.TaskFailed")) {
          if (!terminal.isEmpty()) {
            out.add(at + ": retries " + name + ", which retries terminal errors too ("
                + terminal.stream().map(AslErrorContract::simpleName).collect(Collectors.joining(", "))
                + "); name the retryable errors instead");
          }
        } else if (!isServiceError(name)) {
          String problem = unknownName(name, errors);
          if (problem != null) {
            out.add(at + ": " + problem);
          } else if (!errors.get(name)) {
            out.add(at + ": retries terminal " + name + " (retryable() is false, the same input fails the same"
                + " way); Catch it instead");
          }
        }
      }
    }
  }

  private static void checkCatchNames(String where, JsonNode catchers, SortedMap<String, Boolean> errors,
      List<String> out) {
    for (int i = 0; i < catchers.size(); i++) {
      for (JsonNode n : catchers.get(i).path("ErrorEquals")) {
        String name = n.asText();
        if (!isServiceError(name)) {
          String problem = unknownName(name, errors);
          if (problem != null) {
            out.add(where + " Catch[" + i + "]: " + problem);
          }
        }
      }
    }
  }

  private static boolean isServiceError(String name) {
    return name.startsWith("States.") || name.startsWith("Lambda.");
  }

  private static String unknownName(String name, SortedMap<String, Boolean> errors) {
    if (errors.containsKey(name)) {
      return null;
    }
    if (!name.startsWith(ERRORS_PACKAGE)) {
      return "names " + name + ", which is not a class in " + ERRORS_PACKAGE.substring(0, ERRORS_PACKAGE.length() - 1)
          + " (only States.*, Lambda.* and our typed errors can be matched)";
    }
    return "names " + name + ", which is no concrete PipelineException; known: " + String.join(", ", errors.keySet());
  }

  private static String simpleName(String name) {
    return name.substring(name.lastIndexOf('.') + 1);
  }
}
