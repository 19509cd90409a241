package dev.featurepipe.infra.demo;

import dev.featurepipe.infra.stack.StackStartFailed;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.regex.Pattern;

/**
 * The demo's real PostgreSQL (binaries from Maven, nothing to install), holding {@code
 * public.users}. The pipeline logs in as {@link #READER_ROLE} with a password, over TCP on
 * 127.0.0.1, and may only read that table; the bootstrap superuser {@code postgres} that creates and
 * loads it needs no password on the loopback interface, as zonky's own readiness check expects.
 *
 * <p>The data directory persists between demos: initdb runs only the first time (it is about half of
 * a cold start), and each demo reloads the table from the generator, so its contents never depend
 * on an earlier run.
 */
public final class DemoDatabase implements AutoCloseable {

  public static final String READER_ROLE = "featurepipe_reader";

  public static final String TABLE = "public.users";

  public static final String DATABASE = "postgres";

  static final String SERVICE = "the demo's PostgreSQL";

  /** Passwords reach SQL text (ALTER ROLE takes no bind parameters), so only these characters may. */
  private static final Pattern PASSWORD = Pattern.compile("[0-9a-f]{32,128}");

  /**
   * First match wins: the superuser on the loopback and socket without a password (zonky connects so),
   * every other role only with a SCRAM password.
   */
  static final String PG_HBA = """
      # Written by FeaturePipe's demo (DemoDatabase) at every start.
      local all postgres trust
      host  all postgres 127.0.0.1/32 trust
      host  all postgres ::1/128 trust
      host  all all 127.0.0.1/32 scram-sha-256
      host  all all ::1/128 scram-sha-256
      """;

  private final EmbeddedPostgres postgres;

  private DemoDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts PostgreSQL with its data in {@code dataDir} (created by initdb when absent) on 127.0.0.1:
   * {@code port}, 0 for a free one; a taken port fails with a {@link StackStartFailed} naming it.
   * The server's own output goes to {@code logFile}.
   */
  public static DemoDatabase start(Path dataDir, int port, Path logFile) {
    if (port != 0) {
      // PostgreSQL's own message for a taken port is a line in its log; this names the port up front.
      LoopbackPort.requireFree(port, SERVICE);
    }
    boolean existed = Files.exists(dataDir);
    try {
      Files.createDirectories(logFile.getParent());
      return new DemoDatabase(builder(dataDir, port, logFile).start());
    } catch (IOException | RuntimeException e) {
      // A data directory left half-written (initdb interrupted, disk full) never starts again; it
      // holds nothing the demo does not regenerate.
      throw new StackStartFailed("The demo's PostgreSQL did not start: " + e.getMessage() + ". Its output is in "
          + logFile + (existed ? "; if this repeats, delete " + dataDir + " (the next demo recreates it)" : ""), e);
    }
  }

  private static EmbeddedPostgres.Builder builder(Path dataDir, int port, Path logFile) {
    EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setDataDirectoryCustomizer(dir -> writeHba(dir.toPath()))
        .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    return port == 0 ? b : b.setPort(port);
  }

  private static void writeHba(Path dataDir) {
    try {
      Files.writeString(dataDir.resolve("pg_hba.conf"), PG_HBA);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dataDir.resolve("pg_hba.conf"), e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
  }

  /**
   * Replaces {@link #TABLE} with {@code users}' rows, and lets {@link #READER_ROLE} log in with
   * {@code readerPassword} and read it (and nothing else).
   */
  public void load(UsersGenerator.Dataset users, String readerPassword) {
    if (!PASSWORD.matcher(readerPassword).matches()) {
      throw new IllegalArgumentException("[BUG] the reader's password must match " + PASSWORD.pattern());
    }
    try (Connection c = postgres.getPostgresDatabase().getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS " + TABLE);
        // signed_up_at is nullable here: rows imported from a legacy system lack it, and the
        // pipeline, which requires it, quarantines them.
        s.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, user_id text NOT NULL UNIQUE, name text, "
            + "country char(2), signed_up_at timestamptz, plan text NOT NULL, lifetime_value numeric(12,2))");
      }
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + TABLE
          + " (id, user_id, name, country, signed_up_at, plan, lifetime_value) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (UsersGenerator.User u : users.rows()) {
          insert.setLong(1, u.id());
          insert.setString(2, u.userId());
          insert.setString(3, u.name());
          insert.setString(4, u.country());
          insert.setObject(5, u.signedUpAt(), Types.TIMESTAMP_WITH_TIMEZONE);
          insert.setString(6, u.plan());
          insert.setBigDecimal(7, u.lifetimeValue());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (Statement s = c.createStatement()) {
        s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + READER_ROLE + "') THEN "
            + "CREATE ROLE " + READER_ROLE + "; END IF; END $$");
        s.execute("ALTER ROLE " + READER_ROLE + " WITH LOGIN PASSWORD '" + readerPassword + "'");
        s.execute("GRANT SELECT ON " + TABLE + " TO " + READER_ROLE);
        s.execute("ANALYZE " + TABLE);
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot load " + TABLE + " into the demo's PostgreSQL at " + jdbcUrl()
          + " (SQLState " + e.getSQLState() + ")", e);
    }
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the demo's PostgreSQL", e);
    }
  }
}
