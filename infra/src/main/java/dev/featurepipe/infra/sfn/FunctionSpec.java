package dev.featurepipe.infra.sfn;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An {@code AWS::Serverless::Function} of the SAM template, with {@code Globals.Function} applied.
 *
 * @param handler {@code pkg.Class::method} (or {@code pkg.Class}, meaning {@code handleRequest})
 * @param timeoutSeconds the function's Timeout (CloudFormation's default, 3, when neither the
 *     function nor the globals set one)
 * @param memoryMb the function's MemorySize (default 128)
 * @param environment the literal environment variables (globals overridden by the function);
 *     values computed by intrinsics ({@code !Ref}, {@code !Sub}, ...) are left out
 */
public record FunctionSpec(
    String logicalId, String handler, int timeoutSeconds, int memoryMb, SortedMap<String, String> environment) {

  public FunctionSpec {
    Objects.requireNonNull(logicalId, "logicalId");
    Objects.requireNonNull(handler, "handler");
    if (handler.isBlank()) {
      throw new IllegalArgumentException("function " + logicalId + ": Handler must not be blank");
    }
    if (timeoutSeconds < 1) {
      throw new IllegalArgumentException("function " + logicalId + ": Timeout must be >= 1, got " + timeoutSeconds);
    }
    if (memoryMb < 1) {
      throw new IllegalArgumentException("function " + logicalId + ": MemorySize must be >= 1, got " + memoryMb);
    }
    environment = Collections.unmodifiableSortedMap(new TreeMap<>(environment));
  }

  /** The handler class name: the part before {@code ::}. */
  public String handlerClass() {
    int separator = handler.indexOf("::");
    return separator < 0 ? handler : handler.substring(0, separator);
  }

  /** The handler method name: the part after {@code ::}, {@code handleRequest} when absent. */
  public String handlerMethod() {
    int separator = handler.indexOf("::");
    return separator < 0 ? "handleRequest" : handler.substring(separator + 2);
  }
}
