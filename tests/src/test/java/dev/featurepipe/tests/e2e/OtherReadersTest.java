package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.infra.demo.ClickstreamGenerator;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What FeaturePipe writes is plain Parquet that another engine (DuckDB) reads to the same numbers. */
class OtherReadersTest {

  @Test
  void duckDbReadsBronzeAndSilverFilesToTheExpectedNumbers(@TempDir Path tempDir) throws Exception {
    LocalDate date = LocalDate.of(2026, 9, 30);
    Path downloads = Files.createDirectories(tempDir.resolve("downloads"));
    ClickstreamGenerator.Dataset data;
    try (LocalStackFixture stack = new LocalStackFixture(tempDir.resolve("stack"))) {
      data = stack.upload(31, date, 6_000, 3, 3);
      assertThat(stack.runDaily(date, Map.of()).status()).isEqualTo("SUCCEEDED");
      for (String prefix : new String[] {"bronze/", "silver/product_stats/v_1/data/"}) {
        for (String key : stack.lake().list(prefix)) {
          if (key.endsWith(".parquet")) {
            Path file = downloads.resolve(key);
            Files.createDirectories(file.getParent());
            Files.write(file, stack.lake().get(key));
          }
        }
      }
    }
    Map<String, ExpectedProductStats> expected = ExpectedProductStats.compute(data.validEvents());
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT event_id) FROM read_parquet('"
          + downloads.resolve("bronze") + "/**/*.parquet')")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(data.validEvents().size());
      }
      Map<String, ExpectedProductStats> silver = new TreeMap<>();
      try (ResultSet rs = st.executeQuery("SELECT product_id, views_1d, clicks_1d, add_to_carts_1d, "
          + "purchases_1d, distinct_users_1d, revenue_1d FROM read_parquet('" + downloads.resolve("silver") + "/**/*.parquet')")) {
        while (rs.next()) {
          silver.put(rs.getString(1), new ExpectedProductStats(rs.getLong(2), rs.getLong(3), rs.getLong(4),
              rs.getLong(5), rs.getLong(6), rs.getBigDecimal(7).setScale(2)));
        }
      }
      assertThat(silver).isEqualTo(expected);
      assertThat(expected.values().stream().map(ExpectedProductStats::revenue).reduce(BigDecimal.ZERO, BigDecimal::add))
          .as("the data set has purchases, so revenue is exercised").isPositive();
    }
  }
}
