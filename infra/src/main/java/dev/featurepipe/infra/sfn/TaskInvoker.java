package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs the Lambda function a Task state names. {@link LambdaHandlerInvoker} calls handler classes
 * in-process; tests pass small lambdas.
 */
@FunctionalInterface
public interface TaskInvoker {

  /**
   * Invokes {@code functionRef} (a function name or ARN, as resolved from the definition) with
   * {@code payload} and returns its JSON output.
   *
   * @throws TaskFailure when the function fails; its error and cause are what {@code Retry} and
   *     {@code Catch} see
   */
  JsonNode invoke(String functionRef, JsonNode payload, InvocationInfo info) throws TaskFailure;
}
