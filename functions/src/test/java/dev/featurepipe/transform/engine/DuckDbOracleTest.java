package dev.featurepipe.transform.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine against an independent oracle: DuckDB computes user_activity in SQL from the same rows
 * (dedupe, join, filter, windows written out by hand), and every feature of every entity must
 * match. Integers and decimals match exactly; ratios and vector elements bit for bit (DuckDB
 * divides exact doubles, which IEEE rounds correctly); means and standard deviations are checked to
 * be the correctly rounded value of DuckDB's exact DECIMAL/HUGEINT sums, by exact comparison with
 * the neighbouring doubles (DuckDB's own avg/stddev round intermediate doubles, so they are not an
 * exact reference), and bit for bit against DuckDB's double division where both operands are exact.
 */
class DuckDbOracleTest {

  private static final long DAY_MICROS = 86_400_000_000L;
  private static final List<String> WINDOWS = List.of("1d", "7d", "30d", "lifetime");

  private static Connection db;
  private static List<Record> engine;
  private static long asOfDay;

  @BeforeAll
  static void load() throws SQLException {
    List<Record> rows = EngineFixtures.clickstream(42, 6000);
    FeatureGroupSpec spec = EngineFixtures.userActivity();
    TileBuilder builder = EngineFixtures.builder(spec);
    builder.addAll(rows);
    engine = new FeatureComputer(spec).compute(EngineFixtures.AS_OF, builder.finish());
    asOfDay = EngineFixtures.AS_OF.toEpochDay();

    db = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = db.createStatement()) {
      s.execute("SET threads = 1");
      s.execute("CREATE TABLE clicks (event_id VARCHAR, micros BIGINT, user_id VARCHAR, product_id VARCHAR,"
          + " event_type VARCHAR, price DECIMAL(12, 2), quantity INTEGER, session_id VARCHAR, source_line BIGINT)");
      s.execute("CREATE TABLE products (product_id VARCHAR, category VARCHAR, title VARCHAR)");
    }
    OffsetDateTime epoch = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    try (PreparedStatement p = db.prepareStatement("INSERT INTO clicks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Record r : rows) {
        p.setString(1, (String) r.getField("event_id"));
        p.setLong(2, ChronoUnit.MICROS.between(epoch, (OffsetDateTime) r.getField("event_time")));
        p.setString(3, (String) r.getField("user_id"));
        p.setString(4, (String) r.getField("product_id"));
        p.setString(5, (String) r.getField("event_type"));
        p.setBigDecimal(6, (BigDecimal) r.getField("price"));
        p.setInt(7, (Integer) r.getField("quantity"));
        p.setString(8, (String) r.getField("session_id"));
        p.setLong(9, (Long) r.getField("_source_line"));
        p.addBatch();
      }
      p.executeBatch();
    }
    try (PreparedStatement p = db.prepareStatement("INSERT INTO products VALUES (?, ?, ?)")) {
      for (Record r : EngineFixtures.products()) {
        p.setString(1, (String) r.get(0));
        p.setString(2, (String) r.get(1));
        p.setString(3, (String) r.get(2));
        p.addBatch();
      }
      p.executeBatch();
    }
    try (Statement s = db.createStatement()) {
      // Canonical order: event time, then every column in Bronze schema order, nulls first.
      s.execute("""
          CREATE TABLE base AS
          SELECT c.*, p.category, c.micros // %d AS day
          FROM (SELECT *, row_number() OVER (PARTITION BY user_id, event_id ORDER BY micros, event_id, user_id,
                  product_id, event_type, price NULLS FIRST, quantity, session_id NULLS FIRST, source_line) AS rn
                FROM clicks) c
          LEFT JOIN products p ON p.product_id = c.product_id
          WHERE c.rn = 1 AND c.event_type IN ('view', 'click', 'add_to_cart', 'purchase')
            AND c.micros // %d <= %d
          """.formatted(DAY_MICROS, DAY_MICROS, asOfDay));
    }
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  private static String window(String w) {
    return switch (w) {
      case "lifetime" -> "TRUE";
      default -> "day >= " + (asOfDay - Integer.parseInt(w.replace("d", "")) + 1);
    };
  }

  private static Map<String, Record> engineByUser() {
    Map<String, Record> out = new TreeMap<>();
    engine.forEach(r -> out.put((String) r.getField("user_id"), r));
    return out;
  }

  @Test
  void everyEntitySeenUpToAsOfHasExactlyOneRowAndNoOtherHasOne() throws SQLException {
    List<String> expected = strings("SELECT DISTINCT user_id FROM base ORDER BY user_id");
    assertThat(engine).extracting(r -> (String) r.getField("user_id")).containsExactlyElementsOf(expected);
    assertThat(expected).contains("u-old-1", "😀-emoji", "", "u-\u0000nul", "𝔘-surrogate", "\uE000-private");
  }

  @Test
  void countsSumsMinMaxDistinctAndDifferencesMatchExactly() throws SQLException {
    Map<String, Record> byUser = engineByUser();
    int checked = 0;
    for (String w : WINDOWS) {
      String sql = """
          SELECT u.user_id, count(b.user_id), count(b.user_id) FILTER (WHERE event_type = 'view'),
            count(b.user_id) FILTER (WHERE event_type = 'click'),
            count(b.user_id) FILTER (WHERE event_type = 'add_to_cart'),
            count(b.user_id) FILTER (WHERE event_type = 'purchase'), count(price),
            coalesce(sum(price::DECIMAL(38, 2) * quantity) FILTER (WHERE event_type = 'purchase'), 0),
            coalesce(sum(price), 0), coalesce(sum(quantity), 0)::BIGINT, min(price), max(price),
            count(DISTINCT product_id)
          FROM (SELECT DISTINCT user_id FROM base) u LEFT JOIN base b ON b.user_id = u.user_id AND %s
          GROUP BY u.user_id
          """.formatted(window(w).replace("day", "b.day"));
      try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          Record r = byUser.get(rs.getString(1));
          assertThat(r).as("user %s", rs.getString(1)).isNotNull();
          String at = rs.getString(1) + " " + w;
          assertThat(r.getField("events_" + w)).as(at).isEqualTo(rs.getLong(2));
          assertThat(r.getField("views_" + w)).as(at).isEqualTo(rs.getLong(3));
          assertThat(r.getField("clicks_" + w)).as(at).isEqualTo(rs.getLong(4));
          assertThat(r.getField("add_to_carts_" + w)).as(at).isEqualTo(rs.getLong(5));
          assertThat(r.getField("purchases_" + w)).as(at).isEqualTo(rs.getLong(6));
          assertThat(r.getField("priced_" + w)).as(at).isEqualTo(rs.getLong(7));
          assertThat(r.getField("revenue_" + w)).as(at).isEqualTo(rs.getBigDecimal(8).setScale(2));
          assertThat(r.getField("price_total_" + w)).as(at).isEqualTo(rs.getBigDecimal(9).setScale(2));
          assertThat(r.getField("quantity_total_" + w)).as(at).isEqualTo(rs.getLong(10));
          assertThat(r.getField("min_price_" + w)).as(at).isEqualTo(rs.getBigDecimal(11));
          assertThat(r.getField("max_price_" + w)).as(at).isEqualTo(rs.getBigDecimal(12));
          assertThat(r.getField("distinct_products_" + w)).as(at).isEqualTo(rs.getLong(13));
          assertThat(r.getField("cart_minus_buy_" + w)).as(at).isEqualTo(rs.getLong(5) - rs.getLong(6));
          assertThat(r.getField("revenue_minus_total_" + w)).as(at)
              .isEqualTo(rs.getBigDecimal(8).subtract(rs.getBigDecimal(9)).setScale(2));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(engine.size() * WINDOWS.size());
    // The data must actually exercise the exact paths: a revenue beyond a long's range of cents.
    assertThat(engine).anySatisfy(r -> assertThat(((BigDecimal) r.getField("revenue_lifetime")).unscaledValue()
        .bitLength()).isGreaterThan(63));
    assertThat(engine).anySatisfy(r -> assertThat((Long) r.getField("events_1d")).isPositive());
  }

  @Test
  void ratiosMatchDuckDbDivisionBitForBitWithTheirZeroRule() throws SQLException {
    Map<String, Record> byUser = engineByUser();
    int zeroDenominators = 0;
    for (String w : WINDOWS) {
      String sql = """
          SELECT u.user_id,
            CASE WHEN v = 0 THEN NULL ELSE c::DOUBLE / v::DOUBLE END,
            CASE WHEN c = 0 THEN 0.0::DOUBLE ELSE p::DOUBLE / c::DOUBLE END, v
          FROM (SELECT b.user_id, count(*) FILTER (WHERE event_type = 'view' AND %1$s) v,
                  count(*) FILTER (WHERE event_type = 'click' AND %1$s) c,
                  count(*) FILTER (WHERE event_type = 'purchase' AND %1$s) p
                FROM base b GROUP BY b.user_id) u
          """.formatted(window(w));
      try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          Record r = byUser.get(rs.getString(1));
          Object ctr = rs.getObject(2);
          assertThat(r.getField("ctr_" + w)).as(rs.getString(1) + " " + w).isEqualTo(ctr);
          assertThat(r.getField("conversion_" + w)).as(rs.getString(1) + " " + w).isEqualTo(rs.getDouble(3));
          zeroDenominators += rs.getLong(4) == 0 ? 1 : 0;
        }
      }
    }
    assertThat(zeroDenominators).as("some windows have no views, so ctr is null there").isPositive();
  }

  @Test
  void meansAndStandardDeviationsAreTheCorrectlyRoundedExactValues() throws SQLException {
    Map<String, Record> byUser = engineByUser();
    int bitForBit = 0;
    int stddevs = 0;
    for (String w : WINDOWS) {
      String sql = """
          SELECT user_id, count(price), sum(price), sum(price::DECIMAL(38, 2) * price::DECIMAL(38, 2)),
            CASE WHEN count(price) > 0 AND abs(sum(price) * 100) < 9007199254740992
              THEN (sum(price) * 100)::HUGEINT::DOUBLE / (count(price) * 100)::DOUBLE END
          FROM base WHERE %s GROUP BY user_id
          """.formatted(window(w));
      try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          Record r = byUser.get(rs.getString(1));
          String at = rs.getString(1) + " " + w;
          long n = rs.getLong(2);
          Double mean = (Double) r.getField("avg_price_" + w);
          Double std = (Double) r.getField("price_std_" + w);
          if (n == 0) {
            assertThat(mean).as(at).isNull();
            assertThat(std).as(at).isNull();
            continue;
          }
          BigDecimal s1 = rs.getBigDecimal(3);
          BigDecimal s2 = rs.getBigDecimal(4);
          BigDecimal bn = BigDecimal.valueOf(n);
          // mean = s1 / n: the nearest double d has s1/n between the midpoints to its neighbours.
          assertThat(mean).as(at).isNotNull();
          assertThat(lowerMidpoint(mean).multiply(bn)).as(at).isLessThanOrEqualTo(s1);
          assertThat(upperMidpoint(mean).multiply(bn)).as(at).isGreaterThanOrEqualTo(s1);
          if (rs.getObject(5) != null) {
            assertThat(mean).as(at).isEqualTo(rs.getDouble(5));
            bitForBit++;
          }
          if (n == 1) {
            assertThat(std).as(at).isNull();
            continue;
          }
          // variance = (n*s2 - s1^2) / (n(n-1)); the nearest double to its root has the root between the
          // midpoints, so the squared midpoints bracket the variance.
          BigDecimal num = s2.multiply(bn).subtract(s1.multiply(s1));
          BigDecimal den = bn.multiply(BigDecimal.valueOf(n - 1));
          BigDecimal lo = lowerMidpoint(std).max(BigDecimal.ZERO);
          assertThat(lo.multiply(lo).multiply(den)).as(at).isLessThanOrEqualTo(num);
          BigDecimal hi = upperMidpoint(std);
          assertThat(hi.multiply(hi).multiply(den)).as(at).isGreaterThanOrEqualTo(num);
          stddevs++;
        }
      }
    }
    assertThat(bitForBit).isGreaterThan(10);
    assertThat(stddevs).isGreaterThan(10);
  }

  private static BigDecimal lowerMidpoint(double d) {
    return new BigDecimal(d).add(new BigDecimal(Math.nextDown(d))).divide(BigDecimal.TWO);
  }

  private static BigDecimal upperMidpoint(double d) {
    return new BigDecimal(d).add(new BigDecimal(Math.nextUp(d))).divide(BigDecimal.TWO);
  }

  @Test
  void lastValuesAreThoseOfTheLatestEventWithAValue() throws SQLException {
    Map<String, Record> byUser = engineByUser();
    for (String w : WINDOWS) {
      for (String column : List.of("event_type", "price")) {
        String feature = column.equals("price") ? "last_price_" : "last_event_";
        Map<String, Object> expected = new TreeMap<>();
        String sql = """
            SELECT user_id, %1$s FROM (SELECT user_id, %1$s, row_number() OVER (PARTITION BY user_id
                ORDER BY micros DESC, event_id DESC) rn FROM base WHERE %2$s AND %1$s IS NOT NULL) WHERE rn = 1
            """.formatted(column, window(w));
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
          while (rs.next()) {
            expected.put(rs.getString(1), rs.getObject(2));
          }
        }
        for (Record r : engine) {
          assertThat(r.getField(feature + w)).as(r.getField("user_id") + " " + feature + w)
              .isEqualTo(expected.get((String) r.getField("user_id")));
        }
      }
    }
  }

  @Test
  void topCategoriesAreTheMostFrequentThenSmallestValues() throws SQLException {
    for (String w : WINDOWS) {
      Map<String, List<String>> expected = new TreeMap<>();
      String sql = """
          SELECT user_id, category, c FROM (SELECT user_id, category, count(*) c, row_number() OVER (
              PARTITION BY user_id ORDER BY count(*) DESC, category) rn
            FROM base WHERE %s AND category IS NOT NULL GROUP BY user_id, category)
          WHERE rn <= 3 ORDER BY user_id, rn
          """.formatted(window(w));
      try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          expected.computeIfAbsent(rs.getString(1), u -> new ArrayList<>()).add(rs.getString(2) + "=" + rs.getLong(3));
        }
      }
      for (Record r : engine) {
        @SuppressWarnings("unchecked")
        List<Record> top = (List<Record>) r.getField("top_categories_" + w);
        assertThat(top).extracting(e -> e.get(0) + "=" + e.get(1)).as(r.getField("user_id") + " " + w)
            .containsExactlyElementsOf(expected.getOrDefault((String) r.getField("user_id"), List.of()));
      }
    }
  }

  @Test
  void categoryProfileIsTheL1NormalizedFloatOfEachVocabularyCount() throws SQLException {
    List<String> vocabulary = EngineFixtures.CATEGORIES;
    Map<String, float[]> expected = new TreeMap<>();
    String sql = """
        SELECT user_id, category, CAST(count(*)::DOUBLE / sum(count(*)) OVER (PARTITION BY user_id)::DOUBLE AS FLOAT)
        FROM base WHERE %s AND category IN (%s) GROUP BY user_id, category
        """.formatted(window("30d"), String.join(", ", vocabulary.stream().map(c -> "'" + c + "'").toList()));
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        expected.computeIfAbsent(rs.getString(1), u -> new float[vocabulary.size()])[
            vocabulary.indexOf(rs.getString(2))] = rs.getFloat(3);
      }
    }
    int nonZero = 0;
    for (Record r : engine) {
      float[] want = expected.getOrDefault((String) r.getField("user_id"), new float[vocabulary.size()]);
      List<Float> wantList = new ArrayList<>();
      for (float f : want) {
        wantList.add(f);
      }
      assertThat(r.getField("category_profile")).as((String) r.getField("user_id")).isEqualTo(wantList);
      nonZero += expected.containsKey((String) r.getField("user_id")) ? 1 : 0;
    }
    assertThat(nonZero).as("some users have 30-day categories, the old ones none").isBetween(1, engine.size() - 1);
  }

  private static List<String> strings(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
