package dev.featurepipe.run;

/**
 * Input of PlanDailyRun: an explicit {@code date}, or the scheduler's {@code scheduledTime} (which
 * plans the previous UTC day). {@code runId} and {@code fanout} are optional overrides; {@code
 * force} recomputes a date even when its inputs, config and code match its last successful run.
 * {@code planAttempt} is set by the workflow when it plans again after waiting for a source.
 */
public record PlanRequest(
    String date, String scheduledTime, String runId, Boolean force, Fanout fanout, Integer planAttempt) {

  /** The workflow's re-plan loop counts attempts from 0; a request without one is the first. */
  public int attempt() {
    return planAttempt == null ? 0 : planAttempt;
  }


  public boolean forced() {
    return Boolean.TRUE.equals(force);
  }
}
