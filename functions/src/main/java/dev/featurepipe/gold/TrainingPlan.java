package dev.featurepipe.gold;

import java.util.List;

/**
 * What PlanTrainingSet decided, {@code runs/run_id=<rid>/training/plan.json}: every later step reads
 * it instead of deciding again, so parts built on different machines agree on snapshot ids and schema.
 */
public record TrainingPlan(
    String runId,
    String modelVersion,
    List<TrainingManifest.GroupInput> groups,
    TrainingManifest.LabelsRead labels,
    List<Part> parts,
    String schema,
    String trainingConfigSha256,
    String pipelineConfigSha256,
    String codeVersion) {

  public TrainingPlan {
    groups = List.copyOf(groups);
    parts = List.copyOf(parts);
  }

  /** A slice of the ordered label rows; its rows' feature dates lie in {@code [firstDate, lastDate]}. */
  public record Part(int part, String labelsKey, long rows, String firstDate, String lastDate) {}
}
