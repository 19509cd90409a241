package dev.featurepipe.infra.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * DuckDB doing the same jobs on one thread, timed in the same run as ours: shared machines vary by
 * 15% or more between runs, so only side-by-side numbers compare. Each job runs at least twice and the
 * fastest run counts (DuckDB has no JIT to warm, but the page cache does).
 */
final class DuckDbBaseline {

  private DuckDbBaseline() {}

  /** gzip JSON Lines to ZSTD Parquet, typed like our Bronze (no validation, no sort: less work than ours). */
  static Duration jsonToParquet(Path jsonDir, Path out) throws SQLException {
    return jsonToParquet(jsonDir, out, 2);
  }

  static Duration jsonToParquet(Path jsonDir, Path out, int runs) throws SQLException {
    String sql = "COPY (SELECT event_id, CAST(event_time AS TIMESTAMPTZ) AS event_time, user_id, product_id, "
        + "event_type, CAST(price AS DECIMAL(12,2)) AS price, CAST(coalesce(quantity, 1) AS INTEGER) AS quantity, "
        + "session_id FROM read_json('" + jsonDir + "/*.jsonl.gz', format = 'newline_delimited', "
        + "ignore_errors = true, columns = {event_id: 'VARCHAR', event_time: 'VARCHAR', user_id: 'VARCHAR', "
        + "product_id: 'VARCHAR', event_type: 'VARCHAR', price: 'VARCHAR', quantity: 'BIGINT', session_id: 'VARCHAR'})) "
        + "TO '" + out + "' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 3)";
    return best(sql, runs);
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
    return best(sql, 2);
  }

  /** The rows of {@code select} written as ZSTD Parquet like our Bronze: the read-and-write half of an Extract. */
  static Duration toParquet(String select, Path out, int runs) throws SQLException {
    return best("COPY (" + select + ") TO '" + out + "' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 3)", runs);
  }

  /** Untimed work on all cores, such as converting a benchmark's input to Parquet. */
  static void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The single number {@code sql} selects, e.g. a count: an oracle independent of our readers. */
  static long number(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Runs {@code sql} {@code runs} times with {@code threads = 1}; the fastest run counts. */
  static Duration best(String sql, int runs) throws SQLException {
    Duration best = null;
    for (int i = 0; i < runs; i++) {
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
