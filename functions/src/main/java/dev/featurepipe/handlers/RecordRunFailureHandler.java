package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.run.DailySteps;
import dev.featurepipe.run.RunState;
import dev.featurepipe.run.StepRequests.FailureSummary;

/** State RecordRunFailure: records the failed attempt; the previous good state stays served. */
public final class RecordRunFailureHandler extends StepHandler<RunState, FailureSummary> {

  private final DailySteps steps;

  /** For the Lambda runtime: reads the environment once per container. */
  public RecordRunFailureHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public RecordRunFailureHandler(PipelineContext context) {
    super(RunState.class);
    this.steps = new DailySteps(context);
  }

  @Override
  FailureSummary handle(RunState request) {
    return steps.recordFailure(request);
  }
}
