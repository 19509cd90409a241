package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.run.DailySteps;
import dev.featurepipe.run.StepRequests.CommitRequest;
import dev.featurepipe.run.StepRequests.CommitSummary;

/** State CommitFeatures: the one Iceberg commit of a group for the date. */
public final class CommitFeaturesHandler extends StepHandler<CommitRequest, CommitSummary> {

  private final DailySteps steps;

  /** For the Lambda runtime: reads the environment once per container. */
  public CommitFeaturesHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public CommitFeaturesHandler(PipelineContext context) {
    super(CommitRequest.class);
    this.steps = new DailySteps(context);
  }

  @Override
  CommitSummary handle(CommitRequest request) {
    return steps.commitFeatures(request);
  }
}
