package dev.featurepipe.infra.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * DuckDB doing the same jobs on one thread, timed in the same run as ours: shared machines vary by
 * 15% or more between runs, so only side-by-side numbers compare. Each job runs twice and the faster
 * run counts (DuckDB has no JIT to warm, but the page cache does).
 */
final class DuckDbBaseline {

  private DuckDbBaseline() {}

  /** gzip JSON Lines to ZSTD Parquet, typed like our Bronze (no validation, no sort: less work than ours). */
  static Duration jsonToParquet(Path jsonDir, Path out) throws SQLException {
    String sql = "COPY (SELECT event_id, CAST(event_time AS TIMESTAMPTZ) AS event_time, user_id, product_id, "
        + "event_type, CAST(price AS DECIMAL(12,2)) AS price, CAST(coalesce(quantity, 1) AS INTEGER) AS quantity, "
        + "session_id FROM read_json('" + jsonDir + "/*.jsonl.gz', format = 'newline_delimited', "
        + "ignore_errors = true, columns = {event_id: 'VARCHAR', event_time: 'VARCHAR', user_id: 'VARCHAR', "
        + "product_id: 'VARCHAR', event_type: 'VARCHAR', price: 'VARCHAR', quantity: 'BIGINT', session_id: 'VARCHAR'})) "
        + "TO '" + out + "' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 3)";
    return best(sql);
  }

  /** product_stats from the Bronze Parquet files, with the same dedup, written as ZSTD Parquet. */
  static Duration productStats(Path bronzeDir, Path out) throws SQLException {
    String sql = "COPY (SELECT product_id, count(*) FILTER (event_type = 'view') AS views, "
        + "count(*) FILTER (event_type = 'click') AS clicks, count(*) FILTER (event_type = 'add_to_cart') AS add_to_carts, "
        + "count(*) FILTER (event_type = 'purchase') AS purchases, count(DISTINCT user_id) AS distinct_users, "
        + "coalesce(sum(price * quantity) FILTER (event_type = 'purchase'), 0) AS revenue "
        + "FROM (SELECT DISTINCT ON (product_id, event_id) * FROM read_parquet('" + bronzeDir + "/*.parquet') "
        + "ORDER BY product_id, event_id, event_time) GROUP BY product_id ORDER BY product_id) "
        + "TO '" + out + "' (FORMAT parquet, COMPRESSION zstd)";
    return best(sql);
  }

  private static Duration best(String sql) throws SQLException {
    Duration best = null;
    for (int i = 0; i < 2; i++) {
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
        s.execute("SET threads = 1");
        long t0 = System.nanoTime();
        s.execute(sql);
        Duration d = Duration.ofNanos(System.nanoTime() - t0);
        best = best == null || d.compareTo(best) < 0 ? d : best;
      }
    }
    return best;
  }
}
