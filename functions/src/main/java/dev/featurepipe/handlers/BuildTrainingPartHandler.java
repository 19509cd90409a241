package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.gold.TrainingEvents.PartRequest;
import dev.featurepipe.gold.TrainingEvents.PartResult;
import dev.featurepipe.gold.TrainingSetService;

/** State BuildTrainingPart: one part of the training set, joined point in time at the pinned snapshots. */
public final class BuildTrainingPartHandler extends StepHandler<PartRequest, PartResult> {

  private final TrainingSetService service;

  /** For the Lambda runtime: reads the environment once per container. */
  public BuildTrainingPartHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public BuildTrainingPartHandler(PipelineContext context) {
    super(PartRequest.class);
    this.service = new TrainingSetService(context);
  }

  @Override
  PartResult handle(PartRequest request) {
    return service.buildPart(request);
  }
}
