package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.run.DailySteps;
import dev.featurepipe.run.StepRequests.ShuffleBatch;
import dev.featurepipe.run.StepRequests.ShuffleSummary;

/** State ShuffleBronze: routes a batch of Bronze files to their feature groups' Transform shards (the map side). */
public final class ShuffleBronzeHandler extends StepHandler<ShuffleBatch, ShuffleSummary> {

  private final DailySteps steps;

  /** For the Lambda runtime: reads the environment once per container. */
  public ShuffleBronzeHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public ShuffleBronzeHandler(PipelineContext context) {
    super(ShuffleBatch.class);
    this.steps = new DailySteps(context);
  }

  @Override
  ShuffleSummary handle(ShuffleBatch request) {
    return steps.shuffle(request);
  }
}
