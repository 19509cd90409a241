package dev.featurepipe.quality;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.ops.Metrics;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit of write-audit-publish for a feature group: its rules ({@link FeatureRules}) judged on
 * the statistics its BuildFeatures shards gathered as they wrote the day's feature rows (no extra
 * pass), before CommitFeatures publishes anything. Writes the report ({@code
 * runs/run_id=<rid>/quality/features-<group>.json} and an HTML page beside it) either way.
 */
public final class FeatureQualityGate {

  /** The verdict, and the distributions to store as references once the day is published. */
  public record Verdict(QualityReport report, String reportKey, List<DistributionReference> newReferences) {

    public List<RuleOutcome> failures() {
      return report.failures();
    }
  }

  private FeatureQualityGate() {}

  /**
   * {@code shards}: each shard's statistics; {@code rows}: the day's feature rows; {@code
   * trailingRows}: the rows {@code main} serves for each of the 7 days before (for RowCountChange).
   */
  public static Verdict audit(LakeStore lake, String runId, LocalDate dt, FeatureGroupConfig group,
      List<ChunkQuality> shards, long rows, List<Long> trailingRows) {
    SourceRules rules = group.quality();
    SourceGate.Merged merged = SourceGate.merge(rules, shards);
    Map<Integer, DistributionReference> references = new TreeMap<>();
    List<DistributionReference> pending = new ArrayList<>();
    for (int i = 0; i < rules.rules().size(); i++) {
      SourceRule r = rules.rules().get(i);
      if (r.kind() != SourceRule.Kind.DistributionDrift) {
        continue;
      }
      DistributionReference.resolve(lake, LakeLayout.featureQualityReference(group.versionedName(), r.column()),
          rules.sourceId(), r, merged.rules().get(i).histogram(), dt, runId, references, pending);
    }
    List<RuleOutcome> outcomes = SourceGate.evaluate(rules, merged, rows, dt, trailingRows, Map.of(), references);
    String partition = "silver/" + group.name() + "/v_" + group.version() + "/data/dt=" + dt + "/";
    QualityReport of = QualityReport.of(runId, dt.toString(), merged.checkedRows(), merged.failedRows(),
        List.of(new QualityReport.Source(rules.sourceId(), partition, rows, 0, outcomes)));
    QualityReport report = new QualityReport("features", of.runId(), of.dt(), of.outcome(), of.checkedRows(),
        of.failedRows(), of.passRatePercent(), of.rowCountDeltaPercent(), of.rulesPassed(), of.rules(), of.sources());
    String key = LakeLayout.featureQualityReport(runId, group.versionedName());
    lake.putJson(key, report);
    lake.put(LakeLayout.featureQualityHtml(runId, group.versionedName()),
        QualityReportHtml.render(report, "s3://" + lake.bucket() + "/" + key), 0, "text/html; charset=utf-8");
    TreeMap<String, Double> metrics = new TreeMap<>();
    metrics.put("quality_rules_failed", (double) report.failures().size());
    Metrics.emit("FeatureQualityChecked", runId, metrics);
    return new Verdict(report, key, pending);
  }

  /** Stores the references a published day set (the first accepted distribution of each rule). */
  public static void accept(LakeStore lake, String group, Verdict verdict) {
    for (DistributionReference ref : verdict.newReferences()) {
      lake.putJson(LakeLayout.featureQualityReference(group, ref.column()), ref);
    }
  }
}
