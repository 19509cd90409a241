package dev.featurepipe.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LakeNames;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.sfn.LambdaHandlerInvoker;
import dev.featurepipe.infra.sfn.LocalStepFunctions;
import dev.featurepipe.infra.sfn.RunnerOptions;
import dev.featurepipe.infra.sfn.S3ObjectStore;
import dev.featurepipe.infra.sfn.SamTemplate;
import dev.featurepipe.infra.sfn.StateMachineDefinition;
import dev.featurepipe.infra.sfn.StateMachineSpec;
import dev.featurepipe.infra.sfn.TaskInvoker;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.StackOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * FeaturePipe on one machine: the embedded stack, clients pointed at it, and the local Step
 * Functions runner executing {@code statemachines/*.asl.json} with the handler classes of
 * template.yaml invoked in-process. Exactly the code that runs on AWS; only endpoints differ.
 */
public final class LocalPipeline implements AutoCloseable {

  /** The daily state machine's logical id in template.yaml. */
  public static final String DAILY = "DailyStateMachine";

  /** The training set state machine's logical id in template.yaml ({@link #run} runs any of them). */
  public static final String TRAINING = "TrainingStateMachine";

  private final Path repoRoot;
  private final EmbeddedStack stack;
  private final AwsClients clients;
  private final PipelineContext context;
  private final SamTemplate template;
  private final RunnerOptions runnerOptions;
  private final UnaryOperator<TaskInvoker> invokerDecorator;

  private LocalPipeline(Path repoRoot, EmbeddedStack stack, LoadedConfig config, RunnerOptions runnerOptions,
      UnaryOperator<TaskInvoker> invokerDecorator) {
    this.repoRoot = repoRoot;
    this.stack = stack;
    this.clients = new AwsClients(stack.awsSettings());
    this.context = PipelineContext.from(clients, LakeNames.fromEnvironment(stack.environment()), config);
    this.template = SamTemplate.load(repoRoot.resolve("template.yaml"));
    this.runnerOptions = runnerOptions;
    this.invokerDecorator = invokerDecorator;
  }

  /** Local defaults: compressed retry waits, history written to the lake's runs/ prefix. */
  public static RunnerOptions runnerOptions(String lakeBucket, int parallelism) {
    return new RunnerOptions(0.001, parallelism, Optional.of(lakeBucket), "runs/executions/", Clock.systemUTC());
  }

  public static LocalPipeline start(Path repoRoot, StackOptions options) {
    return start(repoRoot, options, ConfigLoader.loadBundled());
  }

  /** With another configuration than the bundled one (the demo's), one worker per processor. */
  public static LocalPipeline start(Path repoRoot, StackOptions options, LoadedConfig config) {
    return start(repoRoot, options, config, Runtime.getRuntime().availableProcessors(), UnaryOperator.identity());
  }

  /**
   * {@code invokerDecorator} wraps the in-process Lambda invoker; tests use it to inject faults
   * (and say so), everything else passes {@link UnaryOperator#identity()}.
   */
  public static LocalPipeline start(Path repoRoot, StackOptions options, LoadedConfig config, int parallelism,
      UnaryOperator<TaskInvoker> invokerDecorator) {
    EmbeddedStack stack = EmbeddedStack.start(options);
    try {
      return new LocalPipeline(repoRoot, stack, config, runnerOptions(options.lakeBucket(), parallelism),
          invokerDecorator);
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  public PipelineContext context() {
    return context;
  }

  public EmbeddedStack stack() {
    return stack;
  }

  public AwsClients clients() {
    return clients;
  }

  /** Runs a state machine of template.yaml to its end and returns the result (never throws for a FAILED run). */
  public ExecutionResult run(String stateMachineLogicalId, String executionName, JsonNode input) {
    StateMachineSpec spec = template.stateMachines().get(stateMachineLogicalId);
    if (spec == null) {
      throw new IllegalArgumentException("template.yaml has no state machine " + stateMachineLogicalId
          + "; it has " + template.stateMachines().keySet());
    }
    SortedMap<String, String> substitutions = spec.resolveSubstitutions(EmbeddedStack.REGION, this::resolveRef);
    String asl;
    try {
      asl = Files.readString(repoRoot.resolve(spec.definitionPath()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + spec.definitionPath(), e);
    }
    StateMachineDefinition definition = StateMachineDefinition.parse(asl, substitutions);
    TaskInvoker lambdas = new LambdaHandlerInvoker(template, this::newHandler);
    LocalStepFunctions sfn =
        new LocalStepFunctions(invokerDecorator.apply(lambdas), new S3ObjectStore(clients.s3()), runnerOptions);
    return sfn.execute(definition, stateMachineLogicalId, executionName, input);
  }

  /** Uploads a generated clickstream into the source bucket. */
  public void upload(ClickstreamGenerator.Dataset dataset) {
    for (ClickstreamGenerator.SourceObject o : dataset.objects()) {
      clients.s3().putObject(b -> b.bucket(context.names().sourceBucket()).key(o.key()).contentType("application/gzip"),
          RequestBody.fromBytes(o.gzip()));
    }
  }

  private Object newHandler(Class<?> handlerClass) throws ReflectiveOperationException {
    return handlerClass.getConstructor(PipelineContext.class).newInstance(context);
  }

  /** template.yaml !Ref / !GetAtt targets other than functions, mapped to the embedded stack's names. */
  private String resolveRef(String ref) {
    Map<String, String> names = Map.of(
        "LakeBucket", context.names().lakeBucket(),
        "SourceBucket", context.names().sourceBucket(),
        "FeatureTable", context.names().featureTable(),
        "ControlTable", context.names().controlTable());
    String name = names.get(ref.replace(".Arn", "").replace(".Name", ""));
    if (name == null) {
      throw new IllegalArgumentException("the local runner cannot resolve !Ref/!GetAtt " + ref);
    }
    return name;
  }

  @Override
  public void close() {
    try {
      clients.close();
    } finally {
      stack.close();
    }
  }
}
