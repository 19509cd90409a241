package dev.featurepipe.run;

/**
 * Input of PlanDailyRun: an explicit {@code date}, or the scheduler's {@code scheduledTime} (which
 * plans the previous UTC day). {@code runId} and {@code fanout} are optional overrides.
 */
public record PlanRequest(String date, String scheduledTime, String runId, Fanout fanout) {}
