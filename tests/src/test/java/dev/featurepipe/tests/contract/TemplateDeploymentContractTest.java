package dev.featurepipe.tests.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the deployment promises beyond the wiring: every function runs the shaded jar on java21 and
 * arm64 with SnapStart, logs into its own retained, encrypted log group, and the lake keeps each
 * layer as long as DESIGN.md section 3 says.
 */
class TemplateDeploymentContractTest {

  private final Map<String, Object> template = CfnYaml.load(ContractFiles.template());

  @Test
  void everyFunctionRunsTheShadedJarOnJava21Arm64WithSnapStartOnPublishedVersions() {
    Map<String, Object> globals = map(map(template.get("Globals")).get("Function"));
    for (Map.Entry<String, Map<String, Object>> f : resources("AWS::Serverless::Function").entrySet()) {
      Map<String, Object> p = f.getValue();
      String id = f.getKey();
      assertThat(p.getOrDefault("Runtime", globals.get("Runtime"))).as(id).isEqualTo("java21");
      assertThat(p.getOrDefault("Architectures", globals.get("Architectures"))).as(id).isEqualTo(List.of("arm64"));
      assertThat(map(p.getOrDefault("SnapStart", globals.get("SnapStart"))))
          .as(id).containsEntry("ApplyOn", "PublishedVersions");
      assertThat(String.valueOf(p.getOrDefault("CodeUri", globals.get("CodeUri"))))
          .as(id).matches("functions/target/featurepipe-functions-.+-lambda\\.jar");
    }
  }

  @Test
  void everyFunctionLogsToItsOwnEncryptedLogGroupWithRetention() {
    Map<String, Map<String, Object>> logGroups = resources("AWS::Logs::LogGroup");
    for (Map.Entry<String, Map<String, Object>> f : resources("AWS::Serverless::Function").entrySet()) {
      String group = CfnYaml.refOf(map(f.getValue().get("LoggingConfig")).get("LogGroup"));
      assertThat(group).as(f.getKey() + " LoggingConfig.LogGroup").isEqualTo(
          f.getKey().replaceFirst("Function$", "LogGroup"));
      assertThat(logGroups.get(group)).as(group).containsKeys("RetentionInDays", "KmsKeyId");
    }
  }

  @Test
  void lakeLifecycleExpiresBronzeAfterAYearQuarantineAfter30DaysIntermediatesAfter7AndKeepsTheRest() {
    Map<String, Object> lake = resources("AWS::S3::Bucket").get("LakeBucket");
    List<Map<String, Object>> rules = list(map(lake.get("LifecycleConfiguration")).get("Rules"));

    assertThat(rules).anySatisfy(r -> assertThat(r).containsEntry("Prefix", "bronze/").containsEntry(
        "ExpirationInDays", 365));
    assertThat(rules).anySatisfy(r -> assertThat(r).containsEntry("Prefix", "quarantine/").containsEntry(
        "ExpirationInDays", 30));
    assertThat(rules).anySatisfy(r -> assertThat(r).containsEntry("Prefix", "tmp/").containsEntry(
        "ExpirationInDays", 7));
    assertThat(rules).filteredOn(r -> r.containsKey("ExpirationInDays"))
        .extracting(r -> r.get("Prefix"))
        .as("only bronze/, quarantine/ and tmp/ expire; gold/, lineage/, runs/ and the Iceberg silver/ are kept")
        .containsExactlyInAnyOrder("bronze/", "quarantine/", "tmp/");
  }

  @Test
  void scheduleStartsTheDailyStateMachineWithTheScheduledTime() {
    Map<String, Object> target = map(resources("AWS::Scheduler::Schedule").get("DailySchedule").get("Target"));

    assertThat(CfnYaml.refOf(target.get("Arn"))).isEqualTo("DailyStateMachine");
    assertThat(target.get("Input")).isEqualTo("{\"scheduledTime\":\"<aws.scheduler.scheduled-time>\"}");
    assertThat(map(target.get("DeadLetterConfig"))).containsKey("Arn");
  }

  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> resources(String type) {
    Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
    map(template.get("Resources")).forEach((id, r) -> {
      Map<String, Object> resource = (Map<String, Object>) r;
      if (type.equals(resource.get("Type"))) {
        out.put(id, map(resource.get("Properties")));
      }
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    return value instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
  }
}
