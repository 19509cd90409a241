package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.run.DailySteps;
import dev.featurepipe.run.StepRequests.BuildRequest;
import dev.featurepipe.run.StepRequests.BuildSummary;

/** State BuildFeatures: one (feature group, shard) into Silver data files, not yet committed. */
public final class BuildFeaturesHandler extends StepHandler<BuildRequest, BuildSummary> {

  private final DailySteps steps;

  /** For the Lambda runtime: reads the environment once per container. */
  public BuildFeaturesHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public BuildFeaturesHandler(PipelineContext context) {
    super(BuildRequest.class);
    this.steps = new DailySteps(context);
  }

  @Override
  BuildSummary handle(BuildRequest request) {
    return steps.buildFeatures(request);
  }
}
