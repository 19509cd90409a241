package dev.featurepipe.infra.sfn;

import java.util.Objects;

/**
 * A task failed with an error name (what {@code ErrorEquals} matches, e.g. the fully qualified
 * exception class a Java handler threw) and a cause (for Lambda errors, the runtime's JSON error
 * document).
 */
public final class TaskFailure extends Exception {

  private static final long serialVersionUID = 1L;

  private final String error;
  private final String cause;

  public TaskFailure(String error, String cause) {
    super(error + ": " + cause);
    this.error = Objects.requireNonNull(error, "error");
    this.cause = Objects.requireNonNull(cause, "cause");
  }

  public String error() {
    return error;
  }

  public String cause() {
    return cause;
  }
}
