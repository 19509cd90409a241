package dev.featurepipe.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.run.DailySteps;
import dev.featurepipe.run.StepRequests.LoadRequest;
import dev.featurepipe.run.StepRequests.LoadSummary;
import java.time.Duration;
import java.util.Optional;

/** State LoadFeatures: one (group, shard) of committed features into DynamoDB. */
public final class LoadFeaturesHandler extends StepHandler<LoadRequest, LoadSummary> {

  private final DailySteps steps;

  /** For the Lambda runtime: reads the environment once per container. */
  public LoadFeaturesHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public LoadFeaturesHandler(PipelineContext context) {
    super(LoadRequest.class);
    this.steps = new DailySteps(context);
  }

  @Override
  LoadSummary handle(LoadRequest request) {
    return steps.loadFeatures(request);
  }

  /** The write retries stop before the function's timeout, so the workflow sees a typed ThrottledWrite. */
  @Override
  LoadSummary handle(LoadRequest request, Context context) {
    return steps.loadFeatures(request, context == null ? Optional.empty()
        : Optional.of(Duration.ofMillis(context.getRemainingTimeInMillis())));
  }
}
