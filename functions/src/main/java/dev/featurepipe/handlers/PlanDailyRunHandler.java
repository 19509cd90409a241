package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.run.DailySteps;
import dev.featurepipe.run.Plan;
import dev.featurepipe.run.PlanRequest;

/** State PlanDailyRun: lists the day's source chunks and fixes the run's plan. */
public final class PlanDailyRunHandler extends StepHandler<PlanRequest, Plan> {

  private final DailySteps steps;

  /** For the Lambda runtime: reads the environment once per container. */
  public PlanDailyRunHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public PlanDailyRunHandler(PipelineContext context) {
    super(PlanRequest.class);
    this.steps = new DailySteps(context);
  }

  @Override
  Plan handle(PlanRequest request) {
    return steps.plan(request);
  }
}
