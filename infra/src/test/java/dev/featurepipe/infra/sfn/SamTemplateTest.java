package dev.featurepipe.infra.sfn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SamTemplateTest {

  private static Path fixture(String name) {
    try {
      return Path.of(SamTemplateTest.class.getResource("/sfn/sam/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final SamTemplate TEMPLATE = SamTemplate.load(fixture("template.yaml"));

  /** The resolver the local stack would pass: bucket logical ids to local names. */
  private static String local(String ref) {
    return Map.of("LakeBucket", "local-lake", "LakeBucket.Arn", "arn:aws:s3:::local-lake").get(ref);
  }

  @Test
  void functionsTakeTheGlobalsUnlessTheyOverrideThem() {
    assertThat(TEMPLATE.functions().keySet()).containsExactly("HeavyFunction", "PlanFunction");
    FunctionSpec plan = TEMPLATE.functions().get("PlanFunction");
    assertThat(plan)
        .isEqualTo(
            new FunctionSpec(
                "PlanFunction",
                "dev.featurepipe.infra.sfn.fixtures.EchoStreamHandler::handleRequest",
                300,
                1769,
                new java.util.TreeMap<>(Map.of("SHARED", "from-globals", "OVERRIDDEN", "from-function"))));
    FunctionSpec heavy = TEMPLATE.functions().get("HeavyFunction");
    assertThat(heavy.timeoutSeconds()).isEqualTo(900);
    assertThat(heavy.memoryMb()).as("!Ref to a parameter takes its default").isEqualTo(3538);
    assertThat(heavy.handlerClass()).isEqualTo("dev.featurepipe.infra.sfn.fixtures.GreetingHandler");
    assertThat(heavy.handlerMethod()).isEqualTo("handleRequest");
  }

  @Test
  void computedEnvironmentValuesAreLeftOut() {
    assertThat(TEMPLATE.functions().get("PlanFunction").environment()).doesNotContainKeys("COMPUTED", "LAKE");
  }

  @Test
  void theDefinitionPathIsResolvedNextToTheTemplate() {
    StateMachineSpec flow = TEMPLATE.stateMachines().get("FlowStateMachine");
    assertThat(flow.definitionPath()).isEqualTo(fixture("statemachines/flow.asl.json"));
  }

  @Test
  void shortAndLongIntrinsicFormsAreReadAlike() {
    SortedMap<String, Object> raw = TEMPLATE.stateMachines().get("FlowStateMachine").rawSubstitutions();
    assertThat(raw.get("ShortGetAtt")).isEqualTo(Map.of("Fn::GetAtt", List.of("PlanFunction", "Arn")));
    assertThat(raw.get("ListGetAtt")).isEqualTo(Map.of("Fn::GetAtt", List.of("HeavyFunction", "Arn")));
    assertThat(raw.get("LongGetAtt")).isEqualTo(raw.get("ShortGetAtt"));
    assertThat(raw.get("LongRef")).isEqualTo(Map.of("Ref", "LakeBucket"));
    assertThat(raw.get("Region")).isEqualTo(Map.of("Fn::Sub", "${AWS::Region}"));
  }

  @Test
  void substitutionsResolveFunctionsPseudoParametersAndTheResolver() {
    SortedMap<String, String> resolved =
        TEMPLATE.stateMachines().get("FlowStateMachine").resolveSubstitutions("eu-west-1", SamTemplateTest::local);
    String planArn = "arn:aws:lambda:eu-west-1:000000000000:function:PlanFunction";
    assertThat(resolved)
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(
                Map.ofEntries(
                    Map.entry("ShortGetAtt", planArn),
                    Map.entry("ListGetAtt", "arn:aws:lambda:eu-west-1:000000000000:function:HeavyFunction"),
                    Map.entry("LongGetAtt", planArn),
                    Map.entry("AliasRef", "arn:aws:lambda:eu-west-1:000000000000:function:HeavyFunction:current"),
                    Map.entry("NameRef", "PlanFunction"),
                    Map.entry("LongRef", "local-lake"),
                    Map.entry("Region", "eu-west-1"),
                    Map.entry("Account", "000000000000"),
                    Map.entry("SubWithAttribute", "arn:aws:s3:::local-lake/*"),
                    Map.entry("SubWithVariables", "local-lake-dev-${Literal}"),
                    Map.entry("Joined", "a/dev/c"),
                    Map.entry("Literal", "plain"),
                    Map.entry("Number", "42"))));
  }

  @Test
  void theResolvedSubstitutionsCoverEveryPlaceholderOfTheDefinition() throws IOException {
    StateMachineSpec flow = TEMPLATE.stateMachines().get("FlowStateMachine");
    String asl = Files.readString(flow.definitionPath());
    SortedMap<String, String> resolved = flow.resolveSubstitutions("us-east-1", SamTemplateTest::local);
    Matcher placeholders = Pattern.compile("\\$\\{(\\w+)}").matcher(asl);
    while (placeholders.find()) {
      assertThat(resolved).containsKey(placeholders.group(1));
    }
    assertThat(StateMachineDefinition.parse(asl, resolved)).isNotNull();
  }

  @Test
  void anUnresolvableReferenceNamesTheSubstitutionAndTheReference() {
    StateMachineSpec flow = TEMPLATE.stateMachines().get("FlowStateMachine");
    assertThatThrownBy(() -> flow.resolveSubstitutions("us-east-1", ref -> null))
        .isInstanceOf(SamTemplateException.class)
        .hasMessage(
            "state machine 'FlowStateMachine': DefinitionSubstitutions.LongRef: !Ref LakeBucket cannot be resolved: the resolver has no value for 'LakeBucket'\n"
                + "state machine 'FlowStateMachine': DefinitionSubstitutions.SubWithAttribute: !GetAtt LakeBucket.Arn cannot be resolved: the resolver has no value for 'LakeBucket.Arn'\n"
                + "state machine 'FlowStateMachine': DefinitionSubstitutions.SubWithVariables: !Ref LakeBucket cannot be resolved: the resolver has no value for 'LakeBucket'");
  }

  @Test
  void aResolverThatThrowsIsReportedWithItsMessage() {
    StateMachineSpec flow = TEMPLATE.stateMachines().get("FlowStateMachine");
    assertThatThrownBy(
            () ->
                flow.resolveSubstitutions(
                    "us-east-1",
                    ref -> {
                      throw new IllegalArgumentException("no local value for " + ref);
                    }))
        .hasMessageContaining("DefinitionSubstitutions.LongRef: !Ref LakeBucket cannot be resolved: no local value for LakeBucket");
  }

  @Test
  void aTemplateTheRunnerCannotUseIsRejectedWithEveryProblem() {
    assertThatThrownBy(() -> SamTemplate.load(fixture("broken.yaml")))
        .isInstanceOf(SamTemplateException.class)
        .hasMessage(
            "function 'NoHandler': Handler is required (a literal pkg.Class::method) for the local runner\n"
                + "function 'BadTimeout': Timeout must be a number or a !Ref to a parameter with a numeric default, got {\"Ref\":\"NoSuchParameter\"}\n"
                + "state machine 'Inline': only a DefinitionUri that is a local file path is supported by the local runner");
  }

  @Test
  void aMissingTemplateFileIsReportedWithItsPath() {
    Path missing = Path.of("no-such-template.yaml");
    assertThatThrownBy(() -> SamTemplate.load(missing))
        .isInstanceOf(SamTemplateException.class)
        .hasMessageStartingWith("cannot read SAM template no-such-template.yaml");
  }
}
