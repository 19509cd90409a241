package dev.featurepipe.tests.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule 3: template.yaml, the ASL files, the handler classes and events/ name each step the same way. */
class TemplateWiringContractTest {

  private final TemplateWiring deployed = new TemplateWiring(ContractFiles.template());
  private final Path events = ContractFiles.root().resolve("events");

  @Test
  void everyPlaceholderIsSubstitutedAndEverySubstitutionIsUsed() {
    List<String> violations = deployed.substitutionViolations(ContractFiles.stateMachines());

    assertThat(violations).as(String.join("\n", violations)).isEmpty();
  }

  @Test
  void everyLambdaTaskStateHasItsFunctionHandlerAliasAndEventUnderOneName() {
    List<String> violations = deployed.namingViolations(events);

    assertThat(violations).as(String.join("\n", violations)).isEmpty();
    assertThat(deployed.resources(TemplateWiring.FUNCTION)).isNotEmpty();
  }

  @Test
  void everyFunctionPublishesTheLiveAlias() {
    List<String> violations = deployed.aliasViolations();

    assertThat(violations).as(String.join("\n", violations)).isEmpty();
  }

  @Test
  void everyEventFileIsAJsonObjectThatBelongsToAFunction() {
    List<String> violations = deployed.eventViolations(events);

    assertThat(violations).as(String.join("\n", violations)).isEmpty();
  }

  /** Needs the handler classes of dev.featurepipe.handlers on the classpath (functions module). */
  @Test
  void everyHandlerIsAPublicRequestStreamHandlerWithANoArgConstructor() {
    List<String> violations = deployed.handlerClassViolations(getClass().getClassLoader());

    assertThat(violations).as(String.join("\n", violations)).isEmpty();
  }

  @Test
  void checkersReportEachKindOfBrokenWiring() {
    Path template = ContractFiles.fixture("wiring/template.yaml");
    TemplateWiring broken = new TemplateWiring(template);
    Path dir = template.getParent();

    assertThat(broken.substitutionViolations(ContractFiles.aslFilesIn(dir.resolve("statemachines"))))
        .containsExactlyInAnyOrder(
            "Machine: statemachines/wired.asl.json uses ${GhostFunctionArn} but DefinitionSubstitutions does not"
                + " provide it",
            "Machine: DefinitionSubstitutions provides UnusedThing but statemachines/wired.asl.json never uses it",
            "MissingDefinition: DefinitionUri statemachines/nowhere.asl.json does not exist",
            "statemachines/orphan.asl.json: no AWS::Serverless::StateMachine in the template deploys it"
                + " (DefinitionUri)");
    assertThat(broken.namingViolations(dir.resolve("events")))
        .containsExactlyInAnyOrder(
            "Machine: DefinitionSubstitutions GoodFunctionArn must be !Ref GoodFunction.Alias (the published,"
                + " SnapStarted version behind alias live), got {Fn::GetAtt=[GoodFunction, Arn]}",
            "statemachines/wired.asl.json state Renamed: invokes ${MisnamedFunctionArn}; expected"
                + " ${RenamedFunctionArn} (one name per step)",
            "statemachines/wired.asl.json state Hardcoded: invokes"
                + " arn:aws:lambda:us-east-1:123456789012:function:hardcoded; expected ${HardcodedFunctionArn}"
                + " (ASL holds no ARNs or names)",
            "statemachines/wired.asl.json state Ghost: template.yaml has no AWS::Serverless::Function GhostFunction",
            "MisnamedFunction: Handler must be dev.featurepipe.handlers.MisnamedHandler::handleRequest, got"
                + " dev.featurepipe.handlers.SomethingElseHandler::handleRequest");
    assertThat(broken.aliasViolations())
        .containsExactly("MisnamedFunction: AutoPublishAlias must be live (in Globals or on the function), got prod");
    List<String> eventViolations = broken.eventViolations(dir.resolve("events"));
    assertThat(eventViolations).hasSize(3);
    assertThat(eventViolations).contains("events/misnamed.json: must hold one JSON object (a step's input)");
    assertThat(eventViolations).anySatisfy(v -> assertThat(v).startsWith("events/stray.json: not valid JSON: "));
    assertThat(eventViolations).contains("events/stray.json: belongs to no function; name it events/<step>.json"
        + " or events/<step>.<variant>.json, <step> one of [good, misnamed]");
  }

  @Test
  void handlerCheckReportsMissingWrongTypeConstructorAndMethod() {
    TemplateWiring broken = new TemplateWiring(ContractFiles.fixture("wiring/handlers-template.yaml"));
    String self = TemplateWiringContractTest.class.getName();

    assertThat(broken.handlerClassViolations(getClass().getClassLoader()))
        .containsExactlyInAnyOrder(
            "MissingFunction: handler class dev.featurepipe.handlers.NoSuchHandler does not exist",
            "PlainFunction: java.lang.String does not implement " + RequestStreamHandler.class.getName(),
            "NeedsServiceFunction: " + self + "$NeedsServiceHandler has no no-arg constructor; the Lambda runtime"
                + " needs one",
            "WrongMethodFunction: handler method must be handleRequest (RequestStreamHandler), got handle");
  }

  @Test
  void stepNamesBecomeKebabCaseEventNames() {
    assertThat(TemplateWiring.kebab("PlanDailyRun")).isEqualTo("plan-daily-run");
    assertThat(TemplateWiring.kebab("Extract")).isEqualTo("extract");
    assertThat(TemplateWiring.kebab("RecordRunFailure")).isEqualTo("record-run-failure");
  }

  /** Fixture: a handler the Lambda runtime can build. */
  public static final class GoodHandler implements RequestStreamHandler {
    public GoodHandler() {}

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) {}
  }

  /** Fixture: a handler with only the injecting constructor, which the Lambda runtime cannot call. */
  public static final class NeedsServiceHandler implements RequestStreamHandler {
    public NeedsServiceHandler(Object service) {}

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) {}
  }
}
