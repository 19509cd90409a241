package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.run.DailySteps;
import dev.featurepipe.lineage.RunSummary;
import dev.featurepipe.run.RunState;

/** State PublishRun: meta items, the run record and metrics. */
public final class PublishRunHandler extends StepHandler<RunState, RunSummary> {

  private final DailySteps steps;

  /** For the Lambda runtime: reads the environment once per container. */
  public PublishRunHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public PublishRunHandler(PipelineContext context) {
    super(RunState.class);
    this.steps = new DailySteps(context);
  }

  @Override
  RunSummary handle(RunState request) {
    return steps.publish(request);
  }
}
