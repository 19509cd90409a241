package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.run.DailySteps;
import dev.featurepipe.run.RunState;
import dev.featurepipe.run.StepRequests.SealSummary;

/** State SealBronze: writes the Bronze partition manifest once every chunk succeeded. */
public final class SealBronzeHandler extends StepHandler<RunState, SealSummary> {

  private final DailySteps steps;

  /** For the Lambda runtime: reads the environment once per container. */
  public SealBronzeHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public SealBronzeHandler(PipelineContext context) {
    super(RunState.class);
    this.steps = new DailySteps(context);
  }

  @Override
  SealSummary handle(RunState request) {
    return steps.sealBronze(request);
  }
}
