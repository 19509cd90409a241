package dev.featurepipe.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.quality.QualityReport;
import dev.featurepipe.quality.RuleOutcome;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** meta's quality_status: the Bronze gate's verdict on the sources a group reads, never a claim without rules. */
class QualityStatusTest {

  private static final FeatureGroupConfig PRODUCT_STATS =
      ConfigLoader.loadBundled().config().group("product_stats_v1").orElseThrow();

  private static QualityReport report(String source, String... outcomes) {
    List<RuleOutcome> rules = new java.util.ArrayList<>();
    for (int i = 0; i < outcomes.length; i++) {
      rules.add(new RuleOutcome(source, i, "IsComplete", "price", "warn", outcomes[i], 1.0, "1", 10, 0, "d"));
    }
    return QualityReport.of("daily-2026-11-24", "2026-11-24", 10, 0,
        List.of(new QualityReport.Source(source, "bronze/source_id=" + source + "/dt=2026-11-24/", 10, 0, rules)));
  }

  @Test
  void passWarnOrUncheckedFromTheRulesOfTheGroupsOwnSources() {
    assertThat(RunPublisher.qualityStatus(Optional.empty(), PRODUCT_STATS)).isEqualTo("UNCHECKED");
    assertThat(RunPublisher.qualityStatus(Optional.of(report("clickstream")), PRODUCT_STATS)).isEqualTo("UNCHECKED");
    assertThat(RunPublisher.qualityStatus(Optional.of(report("clickstream", "pass", "quarantined")), PRODUCT_STATS))
        .isEqualTo("PASS");
    assertThat(RunPublisher.qualityStatus(Optional.of(report("clickstream", "pass", "warn")), PRODUCT_STATS))
        .isEqualTo("WARN");
    assertThat(RunPublisher.qualityStatus(Optional.of(report("users", "warn")), PRODUCT_STATS))
        .as("a source the group does not read").isEqualTo("UNCHECKED");
  }
}
