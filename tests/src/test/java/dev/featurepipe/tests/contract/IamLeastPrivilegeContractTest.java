package dev.featurepipe.tests.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule 4: no statement grants every action, a whole service, or a data action on every resource. */
class IamLeastPrivilegeContractTest {

  @Test
  void templateGrantsNoWildcardActionAndNoDataActionOnEveryResource() {
    List<String> violations = IamPolicies.violations(CfnYaml.load(ContractFiles.template()));

    assertThat(violations).as(String.join("\n", violations)).isEmpty();
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
