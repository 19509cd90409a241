package dev.featurepipe.quality;

import java.util.List;

/**
 * A run's Bronze quality report ({@code runs/run_id=<rid>/quality/bronze.json}): every rule of
 * every source sealed by the run, in config order, with its observed value, threshold and outcome.
 *
 * @param outcome fail if any rule failed, else warn if any warned, else pass
 * @param passRatePercent {@code data_quality_pass_rate}: the share of checked rows that broke no
 *     row-level rule, in percent (100 when no row-level rule exists)
 * @param rowCountDeltaPercent {@code row_count_delta_percent}: of the sources with a RowCountChange
 *     verdict, the delta farthest from 0 (signed); null when none had one
 */
public record QualityReport(
    String layer,
    String runId,
    String dt,
    String outcome,
    long checkedRows,
    long failedRows,
    double passRatePercent,
    Double rowCountDeltaPercent,
    int rulesPassed,
    int rules,
    List<Source> sources) {

  public QualityReport {
    sources = List.copyOf(sources);
  }

  /** One source's partition and its rules' outcomes; {@code partition} is the Bronze prefix. */
  public record Source(String sourceId, String partition, long bronzeRows, long quarantinedByRules,
      List<RuleOutcome> rules) {
    public Source {
      rules = List.copyOf(rules);
    }
  }

  public static QualityReport of(String runId, String dt, long checkedRows, long failedRows, List<Source> sources) {
    int passed = 0;
    int total = 0;
    boolean fail = false;
    boolean warn = false;
    Double delta = null;
    for (Source s : sources) {
      for (RuleOutcome o : s.rules()) {
        total++;
        passed += o.outcome().equals(RuleOutcome.PASS) ? 1 : 0;
        fail |= o.outcome().equals(RuleOutcome.FAIL);
        warn |= o.outcome().equals(RuleOutcome.WARN);
        if (o.rule().equals(SourceRule.Kind.RowCountChange.name()) && o.observed() != null
            && (delta == null || Math.abs(o.observed()) > Math.abs(delta))) {
          delta = o.observed();
        }
      }
    }
    double passRate = checkedRows == 0 ? 100.0 : Numbers.round6(100.0 * (checkedRows - failedRows) / checkedRows);
    return new QualityReport("bronze", runId, dt, fail ? RuleOutcome.FAIL : warn ? RuleOutcome.WARN : RuleOutcome.PASS,
        checkedRows, failedRows, passRate, delta, passed, total, sources);
  }

  /** The rules that failed, in report order. */
  public List<RuleOutcome> failures() {
    return sources.stream().flatMap(s -> s.rules().stream()).filter(o -> o.outcome().equals(RuleOutcome.FAIL))
        .toList();
  }
}
