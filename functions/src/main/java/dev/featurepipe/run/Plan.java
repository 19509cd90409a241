package dev.featurepipe.run;

import java.util.List;

/**
 * Output of PlanDailyRun, and the spine of the workflow state every later step reads. {@code skip}
 * is true when the last successful run of this run id had the same {@code inputFingerprint}: the
 * workflow then ends at once, as rerunning could only rewrite the same bytes.
 */
public record Plan(
    String runId,
    String date,
    String lakeBucket,
    S3Ref extractItems,
    int chunks,
    Fanout fanout,
    List<String> groups,
    List<TransformItem> transformItems,
    String configSha256,
    String codeVersion,
    String inputFingerprint,
    boolean skip) {

  public Plan {
    groups = List.copyOf(groups);
    transformItems = List.copyOf(transformItems);
  }
}
