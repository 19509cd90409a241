package dev.featurepipe.quality;

/**
 * One rule's verdict on one partition, as the quality report lists it.
 *
 * @param outcome pass, warn, fail, or quarantined (a quarantine rule that set rows aside)
 * @param observed the measured value (a count, a share, a percentage, hours, a PSI), null when
 *     there was nothing to measure (no history, no reference yet, no values)
 * @param rows rows the rule looked at
 * @param violations rows that broke a row-level rule (0 for aggregate rules)
 * @param detail the verdict in words, with the numbers behind it
 */
public record RuleOutcome(
    String sourceId,
    int index,
    String rule,
    String column,
    String action,
    String outcome,
    Double observed,
    String threshold,
    long rows,
    long violations,
    String detail) {

  public static final String PASS = "pass";
  public static final String WARN = "warn";
  public static final String FAIL = "fail";
  public static final String QUARANTINED = "quarantined";

  /**
   * {@code sources[clickstream].quality[2] Completeness(session_id)}; a feature group's rules carry
   * {@code feature_groups[<group>_v<N>]} as their id and keep it.
   */
  public String label() {
    String owner = sourceId.startsWith("feature_groups[") ? sourceId : "sources[" + sourceId + "]";
    return owner + ".quality[" + index + "] " + (column == null ? rule : rule + "(" + column + ")");
  }
}
