package dev.featurepipe.quality;

import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.quality.SourceRule.Action;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decides a source's rules on one Bronze partition from the merged chunk statistics: no rows are
 * read here. Pure: the caller brings the trailing partitions' row counts, IsUnique's duplicate
 * counts and the stored distribution references, so tests can evaluate any case directly.
 */
public final class SourceGate {

  private SourceGate() {}

  /** The partition's statistics: every chunk's {@link ChunkQuality}, merged rule by rule. */
  public record Merged(long checkedRows, long failedRows, List<ChunkQuality.RuleStats> rules,
      SortedMap<Integer, List<FileEntry>> keyFiles) {}

  /** Merges chunk statistics (chunks in any order: every merge is exact and order-free). */
  public static Merged merge(SourceRules rules, List<ChunkQuality> chunks) {
    long checked = 0;
    long failed = 0;
    List<ChunkQuality.RuleStats> merged = new ArrayList<>();
    TreeMap<Integer, List<FileEntry>> keyFiles = new TreeMap<>();
    for (SourceRule r : rules.rules()) {
      merged.add(new ChunkQuality.RuleStats(r.index(), 0, 0, 0, null, null, null,
          r.kind() == SourceRule.Kind.DistributionDrift ? new TreeMap<>() : null, null, 0));
      if (r.kind() == SourceRule.Kind.IsUnique) {
        keyFiles.put(r.index(), new ArrayList<>());
      }
    }
    for (ChunkQuality c : chunks) {
      if (c == null || c.rules().size() != merged.size()) {
        throw new IllegalStateException("[BUG] a chunk result's quality statistics do not match the source's "
            + merged.size() + " rule(s); its fingerprint covers the config, so it should have been re-extracted");
      }
      checked += c.checkedRows();
      failed += c.failedRows();
      for (int i = 0; i < merged.size(); i++) {
        ChunkQuality.RuleStats a = merged.get(i);
        ChunkQuality.RuleStats b = c.rules().get(i);
        TreeMap<Integer, Long> histogram = a.histogram() == null ? null : new TreeMap<>(a.histogram());
        if (histogram != null && b.histogram() != null) {
          b.histogram().forEach((bin, n) -> histogram.merge(bin, n, Long::sum));
        }
        if (b.keyHashes() != null) {
          keyFiles.get(a.index()).add(b.keyHashes());
        }
        merged.set(i, new ChunkQuality.RuleStats(a.index(), a.checked() + b.checked(),
            a.violations() + b.violations(), a.nulls() + b.nulls(), least(a.min(), b.min()), most(a.max(), b.max()),
            newest(a.newestMicros(), b.newestMicros()),
            histogram, null, a.keys() + b.keys()));
      }
    }
    return new Merged(checked, failed, merged, keyFiles);
  }

  /**
   * Every rule's verdict, in the rules' order.
   *
   * @param trailingRows the Bronze row counts of the source's sealed partitions among the 7 days
   *     before {@code dt} (fewer when the source is younger)
   * @param duplicates IsUnique rule index to the partition's duplicate count
   * @param references DistributionDrift rule index to its stored reference, when there is one
   */
  public static List<RuleOutcome> evaluate(SourceRules rules, Merged m, long bronzeRows, LocalDate dt,
      List<Long> trailingRows, Map<Integer, Long> duplicates, Map<Integer, DistributionReference> references) {
    List<RuleOutcome> out = new ArrayList<>();
    for (int i = 0; i < rules.rules().size(); i++) {
      SourceRule r = rules.rules().get(i);
      ChunkQuality.RuleStats s = m.rules().get(i);
      out.add(switch (r.kind()) {
        case IsComplete, ColumnValues -> rowLevel(rules.sourceId(), r, s);
        case Completeness -> {
          double share = s.checked() == 0 ? 1.0 : (s.checked() - s.nulls()) / (double) s.checked();
          yield verdict(rules.sourceId(), r, share < r.min(), share, s.checked(),
              percent(share) + " non-null (" + (s.checked() - s.nulls()) + " of " + s.checked() + " rows)");
        }
        case IsUnique -> {
          long dups = duplicates.getOrDefault(r.index(), 0L);
          yield verdict(rules.sourceId(), r, dups > 0, (double) dups, s.checked(),
              dups + " duplicate(s) among " + s.keys() + " non-null values");
        }
        case RowCount -> verdict(rules.sourceId(), r,
            BigDecimal.valueOf(bronzeRows).compareTo(r.low()) < 0 || BigDecimal.valueOf(bronzeRows).compareTo(r.high()) > 0,
            (double) bronzeRows, bronzeRows, bronzeRows + " rows");
        case RowCountChange -> {
          if (trailingRows.isEmpty()) {
            yield verdict(rules.sourceId(), r, false, null, bronzeRows,
                bronzeRows + " rows; no sealed partition in the 7 days before " + dt + " to compare with");
          }
          double median = median(trailingRows);
          if (median == 0) {
            yield verdict(rules.sourceId(), r, false, null, bronzeRows,
                bronzeRows + " rows; the trailing median is 0, so no percentage applies");
          }
          double delta = deltaPercent(bronzeRows, median);
          yield verdict(rules.sourceId(), r, Math.abs(delta) > r.maxPercent(), delta, bronzeRows,
              bronzeRows + " rows vs a median of " + Numbers.plain(median) + " over " + trailingRows.size()
                  + " trailing partition(s): " + signed(delta) + "%");
        }
        case Freshness -> {
          if (s.newestMicros() == null) {
            yield verdict(rules.sourceId(), r, true, null, s.checked(), "no non-null " + r.column() + " value");
          }
          long endMicros = dt.plusDays(1).toEpochDay() * 86_400_000_000L;
          double ageHours = (endMicros - s.newestMicros()) / 3_600_000_000.0;
          yield verdict(rules.sourceId(), r, ageHours > r.maxAgeHours(), ageHours, s.checked(),
              "newest value " + Numbers.plain(ageHours) + " h before the end of " + dt);
        }
        case DistributionDrift -> {
          DistributionReference ref = references.get(r.index());
          long values = Psi.total(s.histogram());
          if (ref == null) {
            yield verdict(rules.sourceId(), r, false, null, s.checked(), "no reference yet: this day's " + values
                + " values become the reference if the gate passes");
          }
          double psi = Psi.of(ref.histogram(), s.histogram());
          if (Double.isNaN(psi)) {
            yield verdict(rules.sourceId(), r, false, null, s.checked(), "no non-null " + r.column() + " value to compare");
          }
          yield verdict(rules.sourceId(), r, psi > r.maxPsi(), psi, s.checked(), "PSI " + Numbers.plain(psi) + " over "
              + values + " values against the reference of " + ref.dt() + " (" + ref.values() + " values, bins "
              + ref.binning() + ")");
        }
      });
    }
    return out;
  }

  /** The row count's change against the trailing median, in percent (signed). */
  public static double deltaPercent(long rows, double median) {
    return Numbers.round6((rows - median) / median * 100.0);
  }

  /** The middle value, or the mean of the two middle values of an even count. */
  public static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(Long::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }

  private static RuleOutcome rowLevel(String sourceId, SourceRule r, ChunkQuality.RuleStats s) {
    String outcome = s.violations() == 0 ? RuleOutcome.PASS
        : switch (r.action()) {
          case QUARANTINE -> RuleOutcome.QUARANTINED;
          case WARN -> RuleOutcome.WARN;
          case FAIL -> RuleOutcome.FAIL;
        };
    String detail = s.violations() + " of " + s.checked() + " rows broke it"
        + (r.action() == Action.QUARANTINE && s.violations() > 0 ? " and went to quarantine as " + r.reason() : "")
        + (s.min() != null ? "; kept values span [" + s.min().toPlainString() + ", " + s.max().toPlainString() + "]"
            : "");
    return new RuleOutcome(sourceId, r.index(), r.kind().name(), r.column(), r.action().label(), outcome,
        (double) s.violations(), r.threshold(), s.checked(), s.violations(), detail);
  }

  private static RuleOutcome verdict(String sourceId, SourceRule r, boolean violated, Double observed, long rows,
      String detail) {
    String outcome = !violated ? RuleOutcome.PASS : r.action() == Action.WARN ? RuleOutcome.WARN : RuleOutcome.FAIL;
    return new RuleOutcome(sourceId, r.index(), r.kind().name(), r.column(), r.action().label(), outcome,
        observed == null ? null : Numbers.round6(observed), r.threshold(), rows, 0, detail);
  }

  private static String percent(double share) {
    return Numbers.plain(share * 100) + "%";
  }

  private static String signed(double delta) {
    return (delta > 0 ? "+" : "") + String.format(Locale.ROOT, "%s", Numbers.plain(delta));
  }

  private static Long newest(Long a, Long b) {
    return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
  }

  private static BigDecimal least(BigDecimal a, BigDecimal b) {
    return a == null ? b : b == null ? a : a.min(b);
  }

  private static BigDecimal most(BigDecimal a, BigDecimal b) {
    return a == null ? b : b == null ? a : a.max(b);
  }
}
