package dev.featurepipe.run;

import java.util.List;

/** Output of PlanDailyRun, and the spine of the workflow state every later step reads. */
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
    String codeVersion) {

  public Plan {
    groups = List.copyOf(groups);
    transformItems = List.copyOf(transformItems);
  }
}
