package dev.featurepipe.tests.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Rule 4: no statement grants every action, a whole service, or a data action on every resource. */
class IamLeastPrivilegeContractTest {

  @Test
  void templateGrantsNoWildcardActionAndNoDataActionOnEveryResource() {
    List<String> violations = IamPolicies.violations(CfnYaml.load(ContractFiles.template()));

    assertThat(violations).as(String.join("\n", violations)).isEmpty();
  }

  /**
   * Each state machine may invoke exactly the function aliases its own definition uses: the training
   * machine cannot start a daily step, nor the daily machine a training step.
   */
  @Test
  @SuppressWarnings("unchecked")
  void everyStateMachineMayInvokeExactlyTheFunctionAliasesItsDefinitionUses() {
    Map<String, Object> resources = (Map<String, Object>) CfnYaml.load(ContractFiles.template()).get("Resources");
    Map<String, Set<String>> used = new TreeMap<>();
    Map<String, Set<String>> granted = new TreeMap<>();
    resources.forEach((id, r) -> {
      Map<String, Object> resource = (Map<String, Object>) r;
      if (!"AWS::Serverless::StateMachine".equals(resource.get("Type"))) {
        return;
      }
      Map<String, Object> props = (Map<String, Object>) resource.get("Properties");
      Set<String> refs = new TreeSet<>();
      ((Map<String, Object>) props.get("DefinitionSubstitutions")).values().forEach(v -> refs.add(CfnYaml.refOf(v)));
      used.put(id, refs);
      Set<String> invokes = new TreeSet<>();
      for (Object policy : (List<Object>) props.get("Policies")) {
        if (policy instanceof Map<?, ?> m && m.get("Statement") instanceof List<?> statements) {
          for (Object st : statements) {
            Map<String, Object> statement = (Map<String, Object>) st;
            if ("lambda:InvokeFunction".equals(statement.get("Action"))) {
              ((List<Object>) statement.get("Resource")).forEach(v -> invokes.add(CfnYaml.refOf(v)));
            }
          }
        }
      }
      granted.put(id, invokes);
    });

    assertThat(used).containsKeys("DailyStateMachine", "TrainingStateMachine");
    assertThat(granted).isEqualTo(used);
    assertThat(used.get("TrainingStateMachine")).containsExactly("BuildTrainingPartFunction.Alias",
        "CommitTrainingSetFunction.Alias", "PlanTrainingSetFunction.Alias");
  }

  @Test
  void checkerReportsEachKindOfOverGrant() {
    List<String> violations = IamPolicies.violations(CfnYaml.load(ContractFiles.fixture("iam/template.yaml")));

    assertThat(violations).containsExactlyInAnyOrder(
        "AnyObjectFunction Policies[0] Statement[ReadEverything]: grants data action s3:GetObject on Resource \"*\";"
            + " name the bucket prefix, table, database or key",
        "AnySecretFunction Policies[0] Statement[EverySecret]: grants data action secretsmanager:GetSecretValue on"
            + " Resource \"*\"; name the bucket prefix, table, database or key",
        "CatalogRole Policies[0] Statement[AnyTable]: grants data action glue:GetTable on Resource \"*\"; name the"
            + " bucket prefix, table, database or key",
        "ConditionalFunction Policies[0] (if Sometimes) Statement[AnyKey]: grants data action kms:Decrypt on"
            + " Resource \"*\"; name the bucket prefix, table, database or key",
        "EverythingFunction Policies[0] Statement[0]: grants Action \"*\"",
        "NotActionFunction Policies[0] Statement[AllButDelete]: Allow with NotAction/NotResource grants everything"
            + " else; list what is allowed",
        "TemplatedFunction Policies[0]: SAM policy template [S3CrudPolicy] expands outside this check; write the"
            + " statements",
        "TemplatedFunction Policies[1]: names managed policy AmazonS3FullAccess, whose statements this check cannot"
            + " see",
        "WholeServiceFunction Policies[0] Statement[AllOfDynamo]: grants every dynamodb action (dynamodb:*); name"
            + " the actions");
  }
}
