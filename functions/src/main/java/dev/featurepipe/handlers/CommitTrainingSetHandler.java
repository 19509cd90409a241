package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.gold.TrainingEvents.CommitRequest;
import dev.featurepipe.gold.TrainingEvents.Committed;
import dev.featurepipe.gold.TrainingSetService;

/** State CommitTrainingSet: writes the training set's manifest and removes files of earlier attempts. */
public final class CommitTrainingSetHandler extends StepHandler<CommitRequest, Committed> {

  private final TrainingSetService service;

  /** For the Lambda runtime: reads the environment once per container. */
  public CommitTrainingSetHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public CommitTrainingSetHandler(PipelineContext context) {
    super(CommitRequest.class);
    this.service = new TrainingSetService(context);
  }

  @Override
  Committed handle(CommitRequest request) {
    return service.commit(request);
  }
}
