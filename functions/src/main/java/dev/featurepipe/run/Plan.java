package dev.featurepipe.run;

import java.util.List;

/**
 * Output of PlanDailyRun, and the spine of the workflow state every later step reads. {@code skip}
 * is true when the last successful run of this run id had the same {@code inputFingerprint}: the
 * workflow then ends at once, as rerunning could only rewrite the same bytes. {@code retryPlan}
 * asks the workflow to wait {@code retryWaitSeconds} and plan again because a source is down; on
 * the last attempt the run goes on without it: its groups are listed in {@code staleGroups} and the
 * run ends PARTIAL.
 */
public record Plan(
    String runId,
    String date,
    String lakeBucket,
    S3Ref extractItems,
    int chunks,
    Fanout fanout,
    List<String> groups,
    String configSha256,
    String codeVersion,
    String inputFingerprint,
    boolean skip,
    boolean force,
    int planAttempt,
    boolean retryPlan,
    int retryWaitSeconds,
    List<UnavailableSource> unavailableSources,
    List<String> staleGroups) {

  public Plan {
    groups = List.copyOf(groups);
    unavailableSources = List.copyOf(unavailableSources);
    staleGroups = List.copyOf(staleGroups);
  }

  /** A source that could not be reached when the run was planned, and why. */
  public record UnavailableSource(String sourceId, String message) {}
}
