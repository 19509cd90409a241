package dev.featurepipe.quality;

import dev.featurepipe.errors.QualityGateFailed;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.ops.Json;
import dev.featurepipe.ops.Metrics;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The Bronze quality gate of one run, at SealBronze: checks each source's partition on its merged
 * chunk statistics before any manifest is switched, writes the report (JSON and HTML) and the
 * metrics, and stops the run with {@link QualityGateFailed} when a {@code fail} rule broke, so every
 * partition keeps its previous manifest. After the partitions are sealed, {@link #accept()} stores
 * the first accepted distribution of each DistributionDrift rule as its reference.
 */
public final class BronzeQualityGate {

  /** How many days before the run date RowCountChange looks for sealed partitions. */
  public static final int TRAILING_DAYS = 7;

  private final LakeStore lake;
  private final String runId;
  private final LocalDate dt;
  private final List<QualityReport.Source> sources = new ArrayList<>();
  private final List<DistributionReference> pendingReferences = new ArrayList<>();
  private long checkedRows;
  private long failedRows;

  public BronzeQualityGate(LakeStore lake, String runId, LocalDate dt) {
    this.lake = lake;
    this.runId = runId;
    this.dt = dt;
  }

  /**
   * Evaluates one source's rules on its partition. {@code chunks} are the chunks' statistics (null
   * entries when the source has no rules); {@code bronzeRows} the rows the partition will hold.
   */
  public void check(SourceRules rules, List<ChunkQuality> chunks, long bronzeRows) {
    String partition = LakeLayout.bronzePrefix(rules.sourceId(), dt);
    if (rules.isEmpty()) {
      sources.add(new QualityReport.Source(rules.sourceId(), partition, bronzeRows, 0, List.of()));
      return;
    }
    SourceGate.Merged merged = SourceGate.merge(rules, chunks);
    List<Long> trailing = new ArrayList<>();
    TreeMap<Integer, Long> duplicates = new TreeMap<>();
    TreeMap<Integer, DistributionReference> references = new TreeMap<>();
    for (SourceRule r : rules.rules()) {
      switch (r.kind()) {
        case RowCountChange -> {
          for (int d = 1; d <= TRAILING_DAYS; d++) {
            lake.find(LakeLayout.bronzeManifest(rules.sourceId(), dt.minusDays(d)))
                .map(b -> Json.read(b, PartitionManifest.class)).ifPresent(m -> trailing.add(m.rows()));
          }
        }
        case IsUnique -> {
          List<byte[]> runs = new ArrayList<>();
          for (FileEntry f : merged.keyFiles().get(r.index())) {
            runs.add(lake.get(f.key()));
          }
          duplicates.put(r.index(), KeyHashes.duplicates(runs));
        }
        case DistributionDrift -> {
          DistributionReference.resolve(lake, LakeLayout.qualityReference(rules.sourceId(), r.column()),
              rules.sourceId(), r, merged.rules().get(rules.rules().indexOf(r)).histogram(), dt, runId, references,
              pendingReferences);
        }
        default -> { }
      }
    }
    List<RuleOutcome> outcomes = SourceGate.evaluate(rules, merged, bronzeRows, dt, trailing, duplicates, references);
    long quarantined = 0;
    for (int i = 0; i < outcomes.size(); i++) {
      if (rules.rules().get(i).action() == SourceRule.Action.QUARANTINE) {
        quarantined += outcomes.get(i).violations();
      }
    }
    checkedRows += merged.checkedRows();
    failedRows += merged.failedRows();
    sources.add(new QualityReport.Source(rules.sourceId(), partition, bronzeRows, quarantined, outcomes));
  }

  /**
   * Writes {@code bronze.json} and {@code quality.html} under the run's {@code quality/} prefix,
   * emits {@code data_quality_pass_rate} and {@code row_count_delta_percent}, and then throws
   * {@link QualityGateFailed} if a fail rule broke. Returns the report otherwise.
   */
  public QualityReport publish() {
    QualityReport report = QualityReport.of(runId, dt.toString(), checkedRows, failedRows, sources);
    String jsonKey = LakeLayout.bronzeQualityReport(runId);
    String htmlKey = LakeLayout.qualityHtml(runId);
    lake.putJson(jsonKey, report);
    lake.put(htmlKey, QualityReportHtml.render(report, "s3://" + lake.bucket() + "/" + jsonKey), 0,
        "text/html; charset=utf-8");
    TreeMap<String, Double> metrics = new TreeMap<>();
    metrics.put(Metrics.DATA_QUALITY_PASS_RATE, report.passRatePercent());
    if (report.rowCountDeltaPercent() != null) {
      metrics.put(Metrics.ROW_COUNT_DELTA_PERCENT, report.rowCountDeltaPercent());
    }
    metrics.put("quality_rules_failed", (double) report.failures().size());
    Metrics.emit("BronzeQualityChecked", runId, metrics);
    List<RuleOutcome> failures = report.failures();
    if (!failures.isEmpty()) {
      // The report's place comes first: the run record keeps the first 2,000 characters.
      StringBuilder msg = new StringBuilder("quality gate failed on ").append(failures.size())
          .append(" rule(s), nothing was sealed or published (report: s3://").append(lake.bucket()).append('/')
          .append(jsonKey).append(", readable: ").append(htmlKey.substring(htmlKey.lastIndexOf('/') + 1))
          .append(" beside it): ");
      for (int i = 0; i < failures.size(); i++) {
        RuleOutcome f = failures.get(i);
        msg.append(i == 0 ? "" : "; ").append(f.label()).append(" on ")
            .append(LakeLayout.bronzePrefix(f.sourceId(), dt)).append(": observed ")
            .append(f.observed() == null ? "nothing" : Numbers.plain(f.observed())).append(", allowed ")
            .append(f.threshold()).append(" (").append(f.detail()).append(")");
      }
      throw new QualityGateFailed(msg.toString());
    }
    return report;
  }

  /**
   * Once the partitions are sealed: stores this day's histogram as the reference of every
   * DistributionDrift rule that had none (or one binned differently). Returns the keys written.
   */
  public List<String> accept() {
    List<String> written = new ArrayList<>();
    for (DistributionReference ref : pendingReferences) {
      String key = LakeLayout.qualityReference(ref.sourceId(), ref.column());
      lake.putJson(key, ref);
      written.add(key);
    }
    return written;
  }
}
