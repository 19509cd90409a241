package dev.featurepipe.handlers;

import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.run.DailySteps;
import dev.featurepipe.run.StepRequests.ExtractBatch;
import dev.featurepipe.run.StepRequests.ExtractSummary;

/** State Extract (inside the ExtractAll Distributed Map): one batch of source chunks into Bronze. */
public final class ExtractHandler extends StepHandler<ExtractBatch, ExtractSummary> {

  private final DailySteps steps;

  /** For the Lambda runtime: reads the environment once per container. */
  public ExtractHandler() {
    this(PipelineContext.fromEnvironment());
  }

  public ExtractHandler(PipelineContext context) {
    super(ExtractBatch.class);
    this.steps = new DailySteps(context);
  }

  @Override
  ExtractSummary handle(ExtractBatch request) {
    return steps.extract(request);
  }
}
