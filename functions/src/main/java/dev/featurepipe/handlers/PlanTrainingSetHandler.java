package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.gold.TrainingEvents.Planned;
import dev.featurepipe.gold.TrainingRequest;
import dev.featurepipe.gold.TrainingSetService;

/** State PlanTrainingSet: reads and checks the labels, pins the Silver snapshot ids, cuts the parts. */
public final class PlanTrainingSetHandler extends StepHandler<TrainingRequest, Planned> {

  private final TrainingSetService service;

  /** For the Lambda runtime: reads the environment once per container. */
  public PlanTrainingSetHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public PlanTrainingSetHandler(PipelineContext context) {
    super(TrainingRequest.class);
    this.service = new TrainingSetService(context);
  }

  @Override
  Planned handle(TrainingRequest request) {
    return service.plan(request);
  }
}
