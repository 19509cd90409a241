package dev.featurepipe.quality;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * One Bronze quality rule of a source, as declared in {@code sources[].quality[index]} and
 * validated against the source's Bronze schema. The vocabulary is AWS Glue Data Quality's DQDL
 * (IsComplete, Completeness, ColumnValues, IsUnique, RowCount, RowCountChange, Freshness,
 * DistributionDrift); parameters not used by a rule's kind are null.
 *
 * @param index position in the source's {@code quality} list: rules are reported in this order
 * @param min Completeness: the lowest allowed non-null share, 0 to 1
 * @param low ColumnValues/RowCount {@code between}: inclusive bounds
 * @param in ColumnValues: the allowed values
 * @param matches ColumnValues: a regex every value must match in full
 * @param maxPercent RowCountChange: the largest allowed |delta| against the trailing median, percent
 * @param maxAgeHours Freshness: the largest allowed age of the newest value at the end of the run date
 * @param maxPsi DistributionDrift: the largest allowed PSI against the stored reference
 */
public record SourceRule(
    int index,
    Kind kind,
    String column,
    Action action,
    Double min,
    BigDecimal low,
    BigDecimal high,
    List<String> in,
    String matches,
    Double maxPercent,
    Double maxAgeHours,
    Double maxPsi,
    Binning binning) {

  public SourceRule {
    in = in == null ? null : List.copyOf(in);
  }

  /** The rule kinds. Row-level kinds are checked on each row as Extract writes it. */
  public enum Kind {
    IsComplete(true),
    Completeness(false),
    ColumnValues(true),
    IsUnique(false),
    RowCount(false),
    RowCountChange(false),
    Freshness(false),
    DistributionDrift(false);

    private final boolean rowLevel;

    Kind(boolean rowLevel) {
      this.rowLevel = rowLevel;
    }

    /** True for kinds decided row by row (their action may be quarantine). */
    public boolean rowLevel() {
      return rowLevel;
    }
  }

  /** What a violation does. */
  public enum Action {
    /** The run stops with QualityGateFailed before the partition's manifest is switched. */
    FAIL,
    /** Row-level only: the offending rows go to quarantine, the rest continue. */
    QUARANTINE,
    /** Reported and counted, nothing stops. */
    WARN;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The quarantine reason of a row this rule rejected: {@code quality:<rule>:<column>}. */
  public String reason() {
    return "quality:" + kind + ":" + column;
  }

  /** The rule as people read it in reports and messages: {@code ColumnValues(price)}. */
  public String label() {
    return column == null ? kind.name() : kind + "(" + column + ")";
  }

  /** The threshold as people read it: {@code between [0, 100000]}, {@code >= 0.6}, ... */
  public String threshold() {
    return switch (kind) {
      case IsComplete -> "no nulls";
      case Completeness -> ">= " + Numbers.plain(min) + " non-null share";
      case ColumnValues -> in != null ? "in " + in
          : matches != null ? "matches " + matches
          : "between [" + low.toPlainString() + ", " + high.toPlainString() + "]";
      case IsUnique -> "no duplicate non-null values";
      case RowCount -> "between [" + low.toPlainString() + ", " + high.toPlainString() + "] rows";
      case RowCountChange -> "|delta| <= " + Numbers.plain(maxPercent) + "% of the trailing 7-day median";
      case Freshness -> "newest value at most " + Numbers.plain(maxAgeHours) + " h before the end of the run date";
      case DistributionDrift -> "PSI <= " + Numbers.plain(maxPsi) + " against the stored reference";
    };
  }
}
