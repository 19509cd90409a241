package dev.featurepipe.infra.sfn;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The Lambda {@link Context} of one in-process invocation. The deadline is the function's template
 * Timeout from the start of the invocation, measured on the monotonic clock (it bounds real time,
 * not the injected clock); the logger writes each message as a line to stderr.
 */
final class LocalLambdaContext implements Context {

  private final FunctionSpec function;
  private final String requestId;
  private final String invokedArn;
  private final long deadlineNanos;
  private final LambdaLogger logger;

  LocalLambdaContext(FunctionSpec function, String requestId, String invokedArn) {
    this.function = function;
    this.requestId = requestId;
    this.invokedArn = invokedArn;
    this.deadlineNanos = System.nanoTime() + function.timeoutSeconds() * 1_000_000_000L;
    this.logger = new StderrLogger();
  }

  @Override
  public String getAwsRequestId() {
    return requestId;
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/" + function.logicalId();
  }

  @Override
  public String getLogStreamName() {
    return "local/[$LATEST]" + function.logicalId();
  }

  @Override
  public String getFunctionName() {
    return function.logicalId();
  }

  @Override
  public String getFunctionVersion() {
    return "$LATEST";
  }

  @Override
  public String getInvokedFunctionArn() {
    return invokedArn;
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getRemainingTimeInMillis() {
    long remaining = (deadlineNanos - System.nanoTime()) / 1_000_000L;
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, remaining));
  }

  @Override
  public int getMemoryLimitInMB() {
    return function.memoryMb();
  }

  @Override
  public LambdaLogger getLogger() {
    return logger;
  }

  private static final class StderrLogger implements LambdaLogger {
    @Override
    public void log(String message) {
      PrintStream err = System.err;
      synchronized (err) {
        err.print(message);
        if (!message.endsWith("\n")) {
          err.println();
        }
        err.flush();
      }
    }

    @Override
    public void log(byte[] message) {
      log(new String(message, StandardCharsets.UTF_8));
    }
  }
}
