package dev.featurepipe.infra.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.data.Record;

/**
 * The feature bench's two groups in DuckDB SQL, in two formulations over the same Bronze Parquet:
 * <ul>
 *   <li><b>direct</b>: one aggregation per group over the 30 days, each window a {@code FILTER} on
 *       the event time (DuckDB's fairest form: one scan, one hash aggregate, nothing stored);
 *   <li><b>tiles, then windows</b>: what our engine does, a table of per-(entity, day) partial
 *       aggregates (distinct values as lists, categories as a histogram map), then the windows
 *       merged from it.
 * </ul>
 * Both deduplicate by (entity, event id) with {@code DISTINCT ON}, keeping any copy: the bench's
 * replays agree on every column a feature reads (only the source line differs), so this is exact
 * here and cheaper than the engine's canonical-order survivor. Column names and order are those of
 * {@code FeatureComputer.schema()}, so results compare by name.
 */
final class FeatureBenchSql {

  private static final long DAY_MICROS = 86_400_000_000L;

  /** One group: its entity, an optional join, and per feature the SQL of each stage. */
  record Group(String name, String entity, boolean joinProducts, List<Feature> features, List<String> vocabulary) {}

  /**
   * A feature as SQL. {@code direct} is an expression over deduplicated rows with {@code %1$s} for
   * the window's condition; {@code tile} the per-(entity, day) partial column (empty for derived
   * ones); {@code merge} its merge over tiles with {@code %1$s} for the window's day condition. The
   * vector (30 days only) is written out separately.
   */
  record Feature(String name, String direct, String tile, String merge) {}

  static Feature count(String name, String where) {
    String cond = where == null ? "" : where + " AND ";
    return new Feature(name, "count(*) FILTER (WHERE " + cond + "%1$s)",
        "count(*)" + (where == null ? "" : " FILTER (WHERE " + where + ")"),
        "coalesce(sum(" + name + ") FILTER (WHERE %1$s), 0)::BIGINT");
  }

  static Feature revenue(String name) {
    return new Feature(name, "coalesce(sum(price * quantity) FILTER (WHERE event_type = 'purchase' AND %1$s), 0)",
        "sum(price * quantity) FILTER (WHERE event_type = 'purchase')",
        "coalesce(sum(" + name + ") FILTER (WHERE %1$s), 0)");
  }

  static Feature distinct(String name, String column) {
    return new Feature(name, "count(DISTINCT " + column + ") FILTER (WHERE %1$s)", "list(DISTINCT " + column + ")",
        "coalesce(length(list_distinct(flatten(list(" + name + ") FILTER (WHERE %1$s)))), 0)");
  }

  static Feature ratio(String name, String numerator, String denominator) {
    // Derived: both formulations divide the window's two counts, as doubles, null on a zero denominator.
    String expr = "CASE WHEN (%2$s) = 0 THEN NULL ELSE (%1$s)::DOUBLE / (%2$s)::DOUBLE END";
    return new Feature(name, expr.formatted("§" + numerator, "§" + denominator), "",
        expr.formatted("§" + numerator, "§" + denominator));
  }

  /** top k categories as {@code value=count,...}, count descending then value, from a histogram map. */
  static Feature topCategories(String name, int k) {
    String top = "array_to_string(list_transform(list_slice(list_sort(list_transform(map_entries(%s), "
        + "lambda e: {'n': -e.value::BIGINT, 'v': e.key})), 1, " + k + "), lambda e: e.v || '=' || (-e.n)::VARCHAR), ',')";
    return new Feature(name, "coalesce(" + top.formatted("histogram(category) FILTER (WHERE %1$s)") + ", '')",
        "histogram(category)", "coalesce(" + top.formatted("any_value(§merged)") + ", '')");
  }

  private FeatureBenchSql() {}

  /** Deduplicated Bronze rows from {@code first} to {@code asOf} (inclusive), with the join when asked. */
  private static String rows(Group g, String bronzeGlob, String productsFile, LocalDate first, LocalDate asOf) {
    String columns = g.joinProducts() ? "b.*, p.category" : "b.*";
    return "SELECT " + columns + " FROM (SELECT DISTINCT ON (" + g.entity() + ", event_id) event_id, event_time, "
        + "epoch_us(event_time) // " + DAY_MICROS + " AS day, user_id, product_id, event_type, price, quantity "
        + "FROM read_parquet('" + bronzeGlob + "') WHERE event_time >= to_timestamp(" + seconds(first)
        + ") AND event_time < to_timestamp(" + seconds(asOf.plusDays(1)) + ")) b"
        + (g.joinProducts() ? " LEFT JOIN read_parquet('" + productsFile + "') p USING (product_id)" : "");
  }

  private static long seconds(LocalDate d) {
    return d.toEpochDay() * 86_400L;
  }

  /** The direct formulation, as one {@code SELECT}. */
  static String direct(Group g, List<String> windows, String bronzeGlob, String productsFile, LocalDate asOf) {
    List<String> select = new ArrayList<>();
    select.add(g.entity());
    select.add("DATE '" + asOf + "' AS as_of");
    Map<String, Feature> byName = byName(g);
    for (Feature f : g.features()) {
      for (String w : windows) {
        String cond = "day >= " + (asOf.toEpochDay() - days(w) + 1);
        select.add(resolve(f.direct(), byName, d -> d.direct(), cond) + " AS " + f.name() + "_" + w);
      }
    }
    if (!g.vocabulary().isEmpty()) {
      select.add(vector(g, "count(*) FILTER (WHERE category = '%s')"));
    }
    return "SELECT " + String.join(",\n  ", select) + "\nFROM (" + rows(g, bronzeGlob, productsFile,
        asOf.minusDays(29), asOf) + ") GROUP BY " + g.entity();
  }

  /** The per-(entity, day) tiles of the 30 days. */
  static String tiles(Group g, String bronzeGlob, String productsFile, LocalDate asOf) {
    List<String> select = new ArrayList<>();
    select.add(g.entity());
    select.add("day");
    for (Feature f : g.features()) {
      if (!f.tile().isEmpty()) {
        select.add(f.tile() + " AS " + f.name());
      }
    }
    for (String c : g.vocabulary()) {
      select.add("count(*) FILTER (WHERE category = '" + c + "') AS \"v_" + c + "\"");
    }
    return "SELECT " + String.join(", ", select) + " FROM (" + rows(g, bronzeGlob, productsFile, asOf.minusDays(29),
        asOf) + ") GROUP BY " + g.entity() + ", day";
  }

  /** The windows of {@code asOf} merged from {@code tilesTable}. */
  static String windows(Group g, List<String> windows, String tilesTable, LocalDate asOf) {
    Map<String, Feature> byName = byName(g);
    List<String> select = new ArrayList<>();
    select.add(g.entity());
    select.add("DATE '" + asOf + "' AS as_of");
    boolean histogram = g.features().stream().anyMatch(f -> f.tile().startsWith("histogram"));
    for (Feature f : g.features()) {
      for (String w : windows) {
        String cond = "day >= " + (asOf.toEpochDay() - days(w) + 1);
        String merge = f.merge().replace("§merged", "m_" + w);
        select.add(resolve(merge, byName, Feature::merge, cond) + " AS " + f.name() + "_" + w);
      }
    }
    if (!g.vocabulary().isEmpty()) {
      select.add(vector(g, "sum(\"v_%s\")"));
    }
    String from = tilesTable + " t";
    if (histogram) {
      // Categories merged per window: the tiles' histogram maps unnested and summed per (entity,
      // category), joined back as one map per window (repeated on each tile row: any_value).
      String cat = g.features().stream().filter(f -> f.tile().startsWith("histogram")).findFirst().orElseThrow().name();
      List<String> perWindow = new ArrayList<>();
      for (String w : windows) {
        perWindow.add("map_from_entries(list({'k': k, 'v': n_" + w + "}) FILTER (WHERE n_" + w + " > 0)) AS m_" + w);
      }
      List<String> sums = new ArrayList<>();
      for (String w : windows) {
        sums.add("sum(n) FILTER (WHERE day >= " + (asOf.toEpochDay() - days(w) + 1) + ") AS n_" + w);
      }
      from = "(SELECT t.*, " + windows.stream().map(w -> "h.m_" + w).collect(Collectors.joining(", ")) + " FROM "
          + tilesTable + " t JOIN (SELECT " + g.entity() + ", " + String.join(", ", perWindow) + " FROM (SELECT "
          + g.entity() + ", k, " + String.join(", ", sums) + " FROM (SELECT " + g.entity() + ", day, unnest(map_keys("
          + cat + ")) AS k, unnest(map_values(" + cat + ")) AS n FROM " + tilesTable + ") GROUP BY ALL) GROUP BY "
          + g.entity() + ") h USING (" + g.entity() + "))";
    }
    return "SELECT " + String.join(",\n  ", select) + "\nFROM " + from + " WHERE day >= " + (asOf.toEpochDay() - 29)
        + " AND day <= " + asOf.toEpochDay() + " GROUP BY " + g.entity();
  }

  private static String vector(Group g, String countOf) {
    List<String> counts = g.vocabulary().stream().map(c -> "coalesce((" + countOf.formatted(c) + "), 0)").toList();
    String total = "(" + String.join(" + ", counts) + ")";
    List<String> elements = counts.stream()
        .map(c -> "CASE WHEN " + total + " = 0 THEN 0.0::FLOAT ELSE (" + c + "::DOUBLE / " + total + "::DOUBLE)::FLOAT END")
        .toList();
    return "[" + String.join(", ", elements) + "] AS category_profile";
  }

  /** Replaces {@code §feature} by that feature's expression (a derived feature's operands), then the window. */
  private static String resolve(String expr, Map<String, Feature> byName, java.util.function.Function<Feature, String> of,
      String cond) {
    String out = expr;
    for (Map.Entry<String, Feature> e : byName.entrySet()) {
      out = out.replace("§" + e.getKey() + " ", of.apply(e.getValue()) + " ")
          .replace("§" + e.getKey() + ")", of.apply(e.getValue()) + ")");
    }
    return out.replace("%1$s", cond);
  }

  private static Map<String, Feature> byName(Group g) {
    Map<String, Feature> out = new HashMap<>();
    g.features().forEach(f -> out.put(f.name(), f));
    return out;
  }

  static int days(String window) {
    return Integer.parseInt(window.substring(0, window.length() - 1));
  }

  // ---------------------------------------------------------------------------------------------
  // Comparison

  /** Each entity's row as one canonical line: exact integers and decimals, doubles and floats bit for bit. */
  static Map<String, String> rows(Connection c, String table, List<String> columns) throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + columns.stream()
        .map(n -> "\"" + n + "\"").collect(Collectors.joining(", ")) + " FROM " + table)) {
      while (rs.next()) {
        StringBuilder line = new StringBuilder();
        for (int i = 2; i <= columns.size(); i++) {
          line.append(columns.get(i - 1)).append('=').append(canonical(rs.getObject(i))).append(' ');
        }
        out.put(rs.getString(1), line.toString());
      }
    }
    return out;
  }

  static String line(Record r, List<String> columns) {
    StringBuilder line = new StringBuilder();
    for (int i = 1; i < columns.size(); i++) {
      line.append(columns.get(i)).append('=').append(canonical(r.get(i))).append(' ');
    }
    return line.toString();
  }

  static String canonical(Object v) {
    try {
      return switch (v) {
        case null -> "null";
        case Integer i -> Long.toString(i);
        case Long l -> Long.toString(l);
        case BigInteger b -> b.toString();
        case BigDecimal d -> d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        case Double d -> "d" + d;
        case Float f -> "f" + f;
        case Array a -> canonical(List.of((Object[]) a.getArray()));
        case Record r -> r.get(0) + "=" + r.get(1);
        case List<?> l -> l.stream().map(FeatureBenchSql::canonical).collect(Collectors.joining(","));
        case java.sql.Date d -> d.toLocalDate().toString();
        default -> v.toString();
      };
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read a DuckDB list: " + e.getMessage(), e);
    }
  }

  static String describe(Map<String, String> ours, Map<String, String> theirs) {
    List<String> diffs = new ArrayList<>();
    for (Map.Entry<String, String> e : ours.entrySet()) {
      String t = theirs.get(e.getKey());
      if (!e.getValue().equals(t) && diffs.size() < 3) {
        diffs.add(String.format(Locale.ROOT, "%s%n    ours:   %s%n    DuckDB: %s", e.getKey(), e.getValue(), t));
      }
    }
    return String.join("\n  ", diffs);
  }
}
