package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.ops.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-audit-publish for feature groups on the embedded stack: product_stats v1 with a RowCount
 * rule of at most 12 feature rows. A day whose features break it is staged on an audit branch and
 * fails with QualityGateFailed before anything is published; the corrected day publishes.
 */
class FeatureQualityGateEndToEndTest {

  @Test
  void aFailedFeatureAuditStagesTheRowsOnABranchAndPublishesNothingThenTheCorrectedDayPublishes(
      @TempDir Path tempDir) throws Exception {
    String yaml = Files.readString(RepoRoot.locate().resolve("config/pipeline.yaml"));
    assertThat(yaml).containsOnlyOnce("    online_ttl_days: 90\n");
    LoadedConfig config = ConfigLoader.load(yaml.replace("    online_ttl_days: 90\n", """
            online_ttl_days: 90
            quality:
              - {rule: RowCount, between: [1, 12]}
              - {rule: ColumnValues, column: views_1d, between: [0, 1000000], action: warn}
              - {rule: DistributionDrift, column: views_7d, max_psi: 50, action: warn}
        """).getBytes(StandardCharsets.UTF_8), "audited.yaml");
    LocalDate d1 = LocalDate.of(2026, 10, 20);
    LocalDate d2 = d1.plusDays(1);
    try (LocalStackFixture stack = new LocalStackFixture(tempDir, config, UnaryOperator.identity())) {
      stack.upload(201, d1, 500, 1, 0); // 10 products
      assertThat(stack.runDaily(d1, Map.of()).status()).isEqualTo("SUCCEEDED");
      JsonNode passed = report(stack, "daily-" + d1);
      assertThat(passed.get("outcome").asText()).isEqualTo("pass");
      assertThat(passed.get("sources").get(0).get("rules").get(0).get("observed").asDouble()).isEqualTo(10.0);
      Table table = stack.silverTable();
      long snapshot = table.currentSnapshot().snapshotId();
      var items = stack.onlineItems();

      stack.upload(202, d2, 3_000, 1, 0); // 30 products: more feature rows than the rule allows
      ExecutionResult failed = stack.runDaily(d2, Map.of());

      assertThat(failed.status()).isEqualTo("FAILED");
      assertThat(failed.error().orElseThrow()).isEqualTo("dev.featurepipe.errors.QualityGateFailed");
      String message = Json.read(failed.cause().orElseThrow().getBytes(StandardCharsets.UTF_8), JsonNode.class)
          .get("errorMessage").asText();
      assertThat(message).contains("feature audit failed on 1 rule(s) of product_stats_v1 for dt=" + d2)
          .contains("nothing was published")
          .contains("feature_groups[product_stats_v1].quality[0] RowCount: observed 30 rows, allowed between [1, 12] rows")
          .contains("branch audit_daily-" + d2);
      table.refresh();
      assertThat(table.currentSnapshot().snapshotId()).as("main untouched").isEqualTo(snapshot);
      assertThat(stack.onlineItems()).as("DynamoDB untouched").isEqualTo(items);
      Snapshot staged = table.snapshot(table.refs().get("audit_daily-" + d2).snapshotId());
      assertThat(staged.summary()).containsEntry("featurepipe.dt", d2.toString()).containsEntry("added-records", "30");
      assertThat(report(stack, "daily-" + d2).get("outcome").asText()).isEqualTo("fail");

      stack.upload(203, d2, 500, 1, 0); // the corrected delivery: the same 10 products
      assertThat(stack.runDaily(d2, Map.of()).status()).isEqualTo("SUCCEEDED");
      table.refresh();
      assertThat(table.currentSnapshot().summary()).containsEntry("featurepipe.dt", d2.toString());
      assertThat(stack.onlineItems(d2)).hasSize(10);
      assertThat(report(stack, "daily-" + d2).get("outcome").asText()).isEqualTo("pass");
      JsonNode meta = Json.read(stack.metaItem().get("meta").s().getBytes(StandardCharsets.UTF_8), JsonNode.class);
      assertThat(meta.get("drift_thresholds").toString()).as("the group's drift rule, for readers")
          .isEqualTo("{\"views_7d\":50.0}");
      assertThat(stack.lake().find(LakeLayout.featureQualityReference("product_stats_v1", "views_7d")))
          .as("the first published day's distribution is the reference").isPresent();
    }
  }

  private static JsonNode report(LocalStackFixture stack, String runId) {
    return Json.read(stack.lake().get(LakeLayout.featureQualityReport(runId, "product_stats_v1")), JsonNode.class);
  }
}
