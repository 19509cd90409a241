package dev.featurepipe.quality;

import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.quality.SourceRule.Action;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.parquet.column.values.bloomfilter.XxHash;

/**
 * Applies a source's rules to one chunk's rows as Extract writes them, in the same pass: a row that
 * breaks a row-level rule with action quarantine is refused (the first such rule in declared order
 * names the reason); every other row is kept and counted into each rule's statistics. Not thread
 * safe: one per chunk.
 */
public final class RowChecker {

  /**
   * IsUnique compares 64-bit hashes of the values' UTF-8 text (XXH64, the hash the Parquet format
   * fixes for bloom filters), so a partition with n distinct values reports a false duplicate with
   * probability about n^2 / 2^65 (3e-4 at 100 million values): exact for practical purposes, at 8
   * bytes per value instead of the values.
   */
  private static final XxHash KEY_HASH = new XxHash();

  private final SourceRules rules;
  private final Check[] checks;
  private long checkedRows;
  private long failedRows;

  public RowChecker(SourceRules rules, Schema schema) {
    this.rules = rules;
    this.checks = new Check[rules.rules().size()];
    for (int i = 0; i < checks.length; i++) {
      checks[i] = new Check(rules.rules().get(i), schema);
    }
  }

  /** Whether there is anything to check: a source without rules skips the checker entirely. */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * Checks one row. Returns the rule that quarantines it, or null when the row is kept (its values
   * are then counted into every rule's statistics).
   */
  public SourceRule check(Record row) {
    checkedRows++;
    boolean failed = false;
    for (Check c : checks) {
      if (c.rowLevel && c.rule.action() == Action.QUARANTINE) {
        c.checked++;
        if (c.violates(row.get(c.pos))) {
          c.violations++;
          failedRows++;
          return c.rule;
        }
      }
    }
    for (Check c : checks) {
      Object value = c.pos < 0 ? null : row.get(c.pos);
      if (c.rowLevel && c.rule.action() == Action.QUARANTINE) {
        c.measure(value); // checked above; the kept values' span is still worth reporting
        continue;
      }
      c.checked++;
      if (c.rowLevel) {
        if (c.violates(value)) {
          c.violations++;
          failed = true;
        }
      }
      c.measure(value);
    }
    if (failed) {
      failedRows++;
    }
    return null;
  }

  /**
   * The chunk's statistics. {@code writeKeys} stores one IsUnique rule's sorted key hashes (rule
   * index, big-endian longs) as a side file and returns its entry.
   */
  public ChunkQuality finish(BiFunction<Integer, byte[], FileEntry> writeKeys) {
    List<ChunkQuality.RuleStats> out = new ArrayList<>();
    for (Check c : checks) {
      FileEntry keyFile = null;
      long keys = 0;
      if (c.keyHashes != null) {
        long[] sorted = Arrays.copyOf(c.keyHashes, c.keyCount);
        Arrays.sort(sorted);
        keyFile = writeKeys.apply(c.rule.index(), KeyHashes.encode(sorted));
        keys = sorted.length;
      }
      out.add(new ChunkQuality.RuleStats(c.rule.index(), c.checked, c.violations, c.nulls, c.min, c.max,
          c.newestMicros, c.histogram, keyFile, keys));
    }
    return new ChunkQuality(checkedRows, failedRows, out);
  }

  /** One rule's row test and running statistics. */
  private static final class Check {
    final SourceRule rule;
    final boolean rowLevel;
    final int pos;
    final Set<String> allowed;
    final Pattern pattern;
    long checked;
    long violations;
    long nulls;
    BigDecimal min;
    BigDecimal max;
    Long newestMicros;
    TreeMap<Integer, Long> histogram;
    long[] keyHashes;
    int keyCount;

    Check(SourceRule rule, Schema schema) {
      this.rule = rule;
      this.rowLevel = rule.kind().rowLevel();
      this.pos = rule.column() == null ? -1 : schema.columns().indexOf(schema.findField(rule.column()));
      // A lookup set, never iterated: its order cannot reach any output.
      this.allowed = rule.in() == null ? null : new HashSet<>(rule.in());
      this.pattern = rule.matches() == null ? null : Pattern.compile(rule.matches());
      if (rule.kind() == SourceRule.Kind.DistributionDrift) {
        histogram = new TreeMap<>();
      }
      if (rule.kind() == SourceRule.Kind.IsUnique) {
        keyHashes = new long[1024];
      }
    }

    /** Row-level rules: whether this value breaks the rule. ColumnValues leaves nulls to IsComplete. */
    boolean violates(Object value) {
      if (rule.kind() == SourceRule.Kind.IsComplete) {
        return value == null;
      }
      if (value == null) {
        return false;
      }
      if (allowed != null) {
        return !allowed.contains(value.toString());
      }
      if (pattern != null) {
        return !pattern.matcher((CharSequence) value).matches();
      }
      BigDecimal x = decimal(value);
      return x.compareTo(rule.low()) < 0 || x.compareTo(rule.high()) > 0;
    }

    void measure(Object value) {
      if (pos < 0) {
        return;
      }
      if (value == null) {
        nulls++;
        return;
      }
      switch (rule.kind()) {
        case ColumnValues -> {
          if (rule.low() != null) {
            BigDecimal x = decimal(value);
            min = min == null || x.compareTo(min) < 0 ? x : min;
            max = max == null || x.compareTo(max) > 0 ? x : max;
          }
        }
        case Freshness -> {
          // A date stands for its whole day: its newest moment is the day's last microsecond.
          long micros = value instanceof OffsetDateTime t
              ? t.toEpochSecond() * 1_000_000L + t.getNano() / 1_000
              : ((LocalDate) value).plusDays(1).toEpochDay() * 86_400_000_000L - 1;
          newestMicros = newestMicros == null ? micros : Math.max(newestMicros, micros);
        }
        case DistributionDrift -> histogram.merge(rule.binning().bin(value), 1L, Long::sum);
        case IsUnique -> {
          if (keyCount == keyHashes.length) {
            keyHashes = Arrays.copyOf(keyHashes, keyHashes.length * 2);
          }
          keyHashes[keyCount++] = KEY_HASH.hashBytes(value.toString().getBytes(StandardCharsets.UTF_8));
        }
        default -> { }
      }
    }

    private static BigDecimal decimal(Object value) {
      if (value instanceof BigDecimal d) {
        return d;
      }
      if (value instanceof Double || value instanceof Float) {
        return BigDecimal.valueOf(((Number) value).doubleValue());
      }
      return BigDecimal.valueOf(((Number) value).longValue());
    }
  }
}
