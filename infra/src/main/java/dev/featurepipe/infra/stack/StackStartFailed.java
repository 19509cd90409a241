package dev.featurepipe.infra.stack;

/**
 * The embedded stack could not start. The message says what is missing or in the way and what to
 * do about it, so a command-line caller prints it without a stack trace.
 */
public sealed class StackStartFailed extends RuntimeException permits PortTaken {

  private static final long serialVersionUID = 1L;

  public StackStartFailed(String message) {
    super(message);
  }

  public StackStartFailed(String message, Throwable cause) {
    super(message, cause);
  }
}
