package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The error document the Java Lambda runtime reports for an uncaught exception (RIC {@code
 * LambdaErrorConverter.fromThrowable}): the message (or the class name when there is none), the
 * fully qualified class name as {@code errorType}, and the stack frames as strings.
 */
final class LambdaErrors {

  /** Frames from here down are the runner's, not the function's; the RIC hides its own the same way. */
  private static final String RUNNER_PACKAGE = LambdaErrors.class.getPackageName();

  private LambdaErrors() {}

  static String cause(Throwable throwable) {
    ObjectNode error = Json.object();
    String message = throwable.getLocalizedMessage();
    error.put("errorMessage", message == null ? throwable.getClass().getName() : message);
    error.put("errorType", throwable.getClass().getName());
    ArrayNode stack = error.putArray("stackTrace");
    for (String frame : userFrames(throwable.getStackTrace())) {
      stack.add(frame);
    }
    return Json.compact(error);
  }

  private static List<String> userFrames(StackTraceElement[] trace) {
    List<String> frames = new ArrayList<>();
    for (StackTraceElement element : trace) {
      String className = element.getClassName();
      int lastDot = className.lastIndexOf('.');
      if (lastDot > 0 && className.substring(0, lastDot).equals(RUNNER_PACKAGE)) {
        break;
      }
      frames.add(element.toString());
    }
    // Reflection frames between the handler and the runner are the runtime's too.
    while (!frames.isEmpty() && isReflection(frames.getLast())) {
      frames.removeLast();
    }
    return frames;
  }

  private static boolean isReflection(String frame) {
    return frame.startsWith("java.base/jdk.internal.reflect.") || frame.startsWith("java.base/java.lang.reflect.")
        || frame.startsWith("jdk.internal.reflect.") || frame.startsWith("java.lang.reflect.");
  }
}
