package dev.featurepipe.infra.sfn;

/**
 * A state failed with an error name and a cause: what {@code Retry} and {@code Catch} match and
 * what an execution reports when nothing handles it.
 */
final class StateFailure extends Exception {

  static final String ALL = "States.ALL";
  static final String TASK_FAILED = "States.TaskFailed";
  static final String TIMEOUT = "States.Timeout";
  static final String RUNTIME = "States.Runtime";
  static final String DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded";
  static final String RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure";
  static final String NO_CHOICE_MATCHED = "States.NoChoiceMatched";
  static final String ITEM_READER_FAILED = "States.ItemReaderFailed";
  static final String RESULT_WRITER_FAILED = "States.ResultWriterFailed";
  static final String EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold";
  static final String BRANCH_FAILED = "States.BranchFailed";

  private static final long serialVersionUID = 1L;

  private final String error;
  private final String cause;

  StateFailure(String error, String cause) {
    super(error + ": " + cause, null, false, false);
    this.error = error;
    this.cause = cause;
  }

  String error() {
    return error;
  }

  String cause() {
    return cause;
  }

  /**
   * Whether a retrier or catcher listing {@code errorEquals} handles this error. {@code
   * States.Runtime} is never handled, and neither wildcard reaches {@code States.DataLimitExceeded}
   * (AWS documents both as terminal for {@code States.ALL}); {@code States.TaskFailed} matches
   * everything else except {@code States.Timeout}.
   */
  static boolean matches(java.util.List<String> errorEquals, String error) {
    if (RUNTIME.equals(error)) {
      return false;
    }
    for (String name : errorEquals) {
      if (name.equals(error)) {
        return true;
      }
      boolean terminal = DATA_LIMIT_EXCEEDED.equals(error);
      if (name.equals(ALL) && !terminal) {
        return true;
      }
      if (name.equals(TASK_FAILED) && !terminal && !TIMEOUT.equals(error)) {
        return true;
      }
    }
    return false;
  }
}
