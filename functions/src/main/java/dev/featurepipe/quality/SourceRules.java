package dev.featurepipe.quality;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.quality.SourceRule.Action;
import dev.featurepipe.quality.SourceRule.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * A source's Bronze quality rules ({@code sources[].quality} in pipeline.yaml), parsed and checked
 * against its Bronze schema. Every problem is reported at config load, one line each, naming the
 * source, the rule's index, the field and the fix:
 * {@code sources[clickstream].quality[2].between: must be [low, high] with low <= high, got [5,1]}.
 *
 * <p>Default actions: {@code quarantine} for row-level rules (IsComplete, ColumnValues), since one
 * bad row should not stop a day; {@code fail} for aggregate rules, which describe the whole
 * partition and have no rows to set aside.
 */
public record SourceRules(String sourceId, List<SourceRule> rules) {

  /** DESIGN.md section 7: row-count delta against the trailing median, 20% unless configured. */
  public static final double ROW_COUNT_CHANGE_MAX_PERCENT_DEFAULT = 20;

  /** The usual PSI reading: below 0.1 stable, 0.1-0.2 moderate, above 0.2 a significant shift. */
  public static final double MAX_PSI_DEFAULT = 0.2;

  private static final Set<String> COMMON = Set.of("rule", "column", "action");

  public SourceRules {
    rules = List.copyOf(rules);
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** The rules of a source whose config already loaded (so they are valid). */
  public static SourceRules of(SourceConfig source, Schema bronze) {
    List<String> violations = new ArrayList<>();
    SourceRules rules = parse(source, bronze, violations);
    if (!violations.isEmpty()) {
      throw new ConfigInvalid(String.join("\n", violations));
    }
    return rules;
  }

  /** Parses {@code source.quality()} against the source's Bronze schema, adding one line per problem. */
  public static SourceRules parse(SourceConfig source, Schema bronze, List<String> violations) {
    List<SourceRule> out = new ArrayList<>();
    List<JsonNode> nodes = source.quality();
    for (int i = 0; i < nodes.size(); i++) {
      String at = "sources[" + source.id() + "].quality[" + i + "]";
      int before = violations.size();
      SourceRule rule = parseOne(i, nodes.get(i), at, bronze, violations);
      if (violations.size() == before && rule != null) {
        out.add(rule);
      }
    }
    return new SourceRules(source.id(), out);
  }

  private static SourceRule parseOne(int index, JsonNode n, String at, Schema bronze, List<String> v) {
    if (n == null || !n.isObject()) {
      v.add(at + ": must be a mapping like {rule: IsComplete, column: price}, got " + n);
      return null;
    }
    JsonNode ruleNode = n.get("rule");
    Kind kind = null;
    if (ruleNode != null && ruleNode.isTextual()) {
      kind = Arrays.stream(Kind.values()).filter(k -> k.name().equals(ruleNode.asText())).findFirst().orElse(null);
    }
    if (kind == null) {
      v.add(at + ".rule: must be one of " + Arrays.stream(Kind.values()).map(Enum::name).toList()
          + ", got " + (ruleNode == null ? "nothing" : ruleNode.toString()));
      return null;
    }
    Set<String> allowed = new TreeSet<>(COMMON);
    allowed.addAll(switch (kind) {
      case IsComplete, IsUnique -> List.<String>of();
      case Completeness -> List.of("min");
      case ColumnValues -> List.of("between", "in", "matches");
      case RowCount -> List.of("between");
      case RowCountChange -> List.of("max_percent");
      case Freshness -> List.of("max_age_hours");
      case DistributionDrift -> List.of("max_psi", "range", "bins");
    });
    boolean needsColumn = kind != Kind.RowCount && kind != Kind.RowCountChange;
    if (!needsColumn) {
      allowed.remove("column");
    }
    n.fieldNames().forEachRemaining(f -> {
      if (!allowed.contains(f)) {
        v.add(at + "." + f + ": not a parameter of " + ruleNode.asText() + " (it takes " + allowed + ")");
      }
    });

    Action action = action(kind, n.get("action"), at, v);
    String column = null;
    Type type = null;
    if (needsColumn) {
      JsonNode c = n.get("column");
      if (c == null || !c.isTextual() || bronze.findField(c.asText()) == null) {
        v.add(at + ".column: must name a column of the source's Bronze schema "
            + bronze.columns().stream().map(Types.NestedField::name).toList() + ", got "
            + (c == null ? "nothing" : c.toString()));
        return null;
      }
      column = c.asText();
      type = bronze.findField(column).type();
    }
    Double min = null;
    BigDecimal low = null;
    BigDecimal high = null;
    List<String> in = null;
    String matches = null;
    Double maxPercent = null;
    Double maxAgeHours = null;
    Double maxPsi = null;
    Binning binning = null;
    switch (kind) {
      case IsComplete, IsUnique -> { }
      case Completeness -> {
        min = number(n, "min", at, 0, 1, null, "a non-null share between 0 and 1, such as min: 0.95", v);
      }
      case ColumnValues -> {
        int given = (n.has("between") ? 1 : 0) + (n.has("in") ? 1 : 0) + (n.has("matches") ? 1 : 0);
        if (given != 1) {
          v.add(at + ": ColumnValues takes exactly one of between: [low, high], in: [a, b, ...] or matches: '<regex>', got "
              + given);
          return null;
        }
        if (n.has("between")) {
          if (!numeric(type)) {
            v.add(at + ".between: needs a numeric column, " + column + " is " + type
                + "; use in: [...] or matches: '<regex>' for other columns");
            return null;
          }
          BigDecimal[] b = bounds(n.get("between"), at + ".between", false, v);
          if (b == null) {
            return null;
          }
          low = b[0];
          high = b[1];
        } else if (n.has("in")) {
          if (!(type instanceof Types.StringType || type instanceof Types.IntegerType || type instanceof Types.LongType)) {
            v.add(at + ".in: needs a string, int or long column, " + column + " is " + type);
            return null;
          }
          in = values(n.get("in"), at + ".in", v);
        } else {
          if (!(type instanceof Types.StringType)) {
            v.add(at + ".matches: needs a string column, " + column + " is " + type);
            return null;
          }
          matches = regex(n.get("matches"), at + ".matches", v);
        }
      }
      case RowCount -> {
        BigDecimal[] b = bounds(n.get("between"), at + ".between", true, v);
        if (b == null) {
          return null;
        }
        low = b[0];
        high = b[1];
      }
      case RowCountChange -> maxPercent = number(n, "max_percent", at, 0, 1_000_000,
          ROW_COUNT_CHANGE_MAX_PERCENT_DEFAULT, "a percentage above 0, such as max_percent: 20", v);
      case Freshness -> {
        if (!(type instanceof Types.TimestampType t && t.shouldAdjustToUTC()) && !(type instanceof Types.DateType)) {
          v.add(at + ".column: Freshness needs a timestamptz or date column, " + column + " is " + type);
          return null;
        }
        maxAgeHours = number(n, "max_age_hours", at, 0, 24 * 3650, null, "hours above 0, such as max_age_hours: 30", v);
      }
      case DistributionDrift -> {
        maxPsi = number(n, "max_psi", at, 0, 100, MAX_PSI_DEFAULT, "a PSI above 0, such as max_psi: 0.2", v);
        if (!column.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
          v.add(at + ".column: DistributionDrift stores its reference under the column's name, which must match "
              + "[A-Za-z_][A-Za-z0-9_]{0,127}, got " + column);
        }
        binning = binning(n, at, column, type, v);
      }
    }
    if (maxPercent != null && maxPercent <= 0 || maxAgeHours != null && maxAgeHours <= 0 || maxPsi != null && maxPsi <= 0) {
      v.add(at + ": thresholds must be above 0 (a rule that nothing can pass would fail every run)");
    }
    return new SourceRule(index, kind, column, action, min, low, high, in, matches, maxPercent, maxAgeHours, maxPsi,
        binning);
  }

  private static Action action(Kind kind, JsonNode node, String at, List<String> v) {
    if (node == null) {
      return kind.rowLevel() ? Action.QUARANTINE : Action.FAIL;
    }
    String text = node.isTextual() ? node.asText() : node.toString();
    for (Action a : Action.values()) {
      if (a.label().equals(text)) {
        if (a == Action.QUARANTINE && !kind.rowLevel()) {
          v.add(at + ".action: quarantine applies to row-level rules (IsComplete, ColumnValues); " + kind
              + " describes the whole partition: use fail or warn, got quarantine");
        }
        return a;
      }
    }
    v.add(at + ".action: must be one of fail, quarantine, warn, got " + text);
    return Action.FAIL;
  }

  private static Double number(JsonNode n, String field, String at, double lo, double hi, Double dflt, String fix,
      List<String> v) {
    JsonNode x = n.get(field);
    if (x == null) {
      if (dflt == null) {
        v.add(at + "." + field + ": required: " + fix);
      }
      return dflt;
    }
    if (!x.isNumber() || x.asDouble() < lo || x.asDouble() > hi) {
      v.add(at + "." + field + ": must be " + fix + ", got " + x);
      return dflt == null ? 0.0 : dflt;
    }
    return x.asDouble();
  }

  private static BigDecimal[] bounds(JsonNode b, String at, boolean counts, List<String> v) {
    String fix = counts ? "[low, high] row counts with 0 <= low <= high, such as between: [1, 100000000]"
        : "[low, high] with low <= high, such as between: [0, 100000]";
    if (b == null || !b.isArray() || b.size() != 2 || !b.get(0).isNumber() || !b.get(1).isNumber()) {
      v.add(at + ": must be " + fix + ", got " + (b == null ? "nothing" : b.toString()));
      return null;
    }
    BigDecimal low = b.get(0).decimalValue();
    BigDecimal high = b.get(1).decimalValue();
    if (low.compareTo(high) > 0 || counts && (low.signum() < 0 || !b.get(0).isIntegralNumber()
        || !b.get(1).isIntegralNumber())) {
      v.add(at + ": must be " + fix + ", got " + b);
      return null;
    }
    return new BigDecimal[] {low, high};
  }

  private static List<String> values(JsonNode node, String at, List<String> v) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      v.add(at + ": must be a non-empty list of allowed values, such as in: [view, click], got " + node);
      return null;
    }
    List<String> out = new ArrayList<>();
    for (JsonNode x : node) {
      if (!x.isValueNode() || x.isNull()) {
        v.add(at + ": must list plain values, got " + x);
        return null;
      }
      out.add(x.asText());
    }
    return out;
  }

  private static String regex(JsonNode node, String at, List<String> v) {
    if (node == null || !node.isTextual()) {
      v.add(at + ": must be a regular expression in quotes, such as matches: '^user-[0-9]+$', got " + node);
      return null;
    }
    try {
      Pattern.compile(node.asText());
    } catch (PatternSyntaxException e) {
      v.add(at + ": must be a valid Java regular expression, got " + node.asText() + " (" + e.getDescription() + ")");
      return null;
    }
    return node.asText();
  }

  private static Binning binning(JsonNode n, String at, String column, Type type, List<String> v) {
    if (type instanceof Types.StringType) {
      if (n.has("range") || n.has("bins")) {
        v.add(at + ": range and bins apply to numeric columns; " + column + " is a string, binned by value hash");
      }
      return Binning.hash();
    }
    if (!numeric(type)) {
      v.add(at + ".column: DistributionDrift needs a numeric or string column, " + column + " is " + type);
      return null;
    }
    if (!n.has("range")) {
      if (n.has("bins")) {
        v.add(at + ".bins: needs range: [low, high] (without a range, bins are quarter-octaves)");
      }
      return Binning.log();
    }
    BigDecimal[] r = bounds(n.get("range"), at + ".range", false, v);
    int bins = Binning.RANGE_BINS_DEFAULT;
    JsonNode b = n.get("bins");
    if (b != null) {
      if (!b.isInt() || b.asInt() < 2 || b.asInt() > 1000) {
        v.add(at + ".bins: must be an integer between 2 and 1000, such as bins: 10, got " + b);
        return null;
      }
      bins = b.asInt();
    }
    if (r == null) {
      return null;
    }
    if (r[0].compareTo(r[1]) == 0) {
      v.add(at + ".range: must be [low, high] with low < high, got " + n.get("range"));
      return null;
    }
    return Binning.range(r[0].doubleValue(), r[1].doubleValue(), bins);
  }

  static boolean numeric(Type type) {
    return type instanceof Types.IntegerType || type instanceof Types.LongType || type instanceof Types.DoubleType
        || type instanceof Types.FloatType || type instanceof Types.DecimalType;
  }
}
