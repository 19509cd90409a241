package dev.featurepipe.run;

/**
 * Input of PlanDailyRun: an explicit {@code date}, or the scheduler's {@code scheduledTime} (which
 * plans the previous UTC day). {@code runId} and {@code fanout} are optional overrides; {@code
 * force} recomputes a date even when its inputs, config and code match its last successful run.
 */
public record PlanRequest(String date, String scheduledTime, String runId, Boolean force, Fanout fanout) {

  public boolean forced() {
    return Boolean.TRUE.equals(force);
  }
}
