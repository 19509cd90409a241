package dev.featurepipe.extract.jdbc;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private MariaDB server for one test class: a fresh data directory, a free loopback port, a
 * socket-only root and one password user, stopped on close. Uses the machine's {@code mariadbd}
 * (Debian package mariadb-server, which {@code .ci/run} installs); {@link #available} says whether
 * there is one, so a laptop without it skips these tests and says why.
 */
final class MariaDbServer implements AutoCloseable {

  static final String DATABASE = "app";
  static final String USER = "reader";
  static final String LOADER = "loader";

  private final Process process;
  private final Path dir;
  private final int port;

  private MariaDbServer(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  static Optional<Path> binary(String name) {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/sbin", name), Path.of("/usr/bin", name),
        Path.of("/usr/local/sbin", name), Path.of("/usr/local/bin", name)));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  static boolean available() {
    return binary("mariadbd").isPresent() && binary("mariadb-install-db").isPresent() && binary("mariadb").isPresent();
  }

  static MariaDbServer start(Path dir, String password) throws IOException, InterruptedException {
    Path data = dir.resolve("data");
    boolean root = "root".equals(System.getProperty("user.name"));
    String user = System.getProperty("user.name");
    run(dir.resolve("install.log"), binary("mariadb-install-db").orElseThrow().toString(), "--no-defaults",
        "--datadir=" + data, "--auth-root-authentication-method=socket", "--skip-test-db", "--user=" + user);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> cmd = new ArrayList<>(List.of(binary("mariadbd").orElseThrow().toString(), "--no-defaults",
        "--datadir=" + data, "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("sock"),
        "--pid-file=" + dir.resolve("pid"), "--log-error=" + dir.resolve("error.log"), "--skip-log-bin",
        "--innodb-buffer-pool-size=64M", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin"));
    if (root) {
      cmd.add("--user=root");
    }
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("mariadbd.out").toFile()).start();
    MariaDbServer server = new MariaDbServer(process, dir, port);
    try {
      server.awaitSocket(Duration.ofSeconds(60));
      server.asRoot("CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin; "
          + "CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + password + "'; "
          + "GRANT SELECT ON " + DATABASE + ".* TO '" + USER + "'@'%'; "
          + "CREATE USER '" + LOADER + "'@'%' IDENTIFIED BY '" + password + "'; "
          + "GRANT ALL ON " + DATABASE + ".* TO '" + LOADER + "'@'%';");
      return server;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  String jdbcUrl() {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + DATABASE;
  }

  int port() {
    return port;
  }

  /** Runs SQL as the socket-authenticated root (DDL and data loading; the connector logs in as {@link #USER}). */
  void asRoot(String sql) throws IOException, InterruptedException {
    run(dir.resolve("client.log"), binary("mariadb").orElseThrow().toString(), "--no-defaults",
        "--socket=" + dir.resolve("sock"), "-u", "root", "-e", sql);
  }

  /** A connection that may create and load tables (the connector logs in as the read-only {@link #USER}). */
  Connection loaderConnection(String password) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), LOADER, password);
  }

  private void awaitSocket(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(dir.resolve("sock"))) {
      if (!process.isAlive()) {
        throw new IOException("mariadbd exited with " + process.exitValue() + "; see " + dir.resolve("error.log"));
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("mariadbd did not open its socket within " + timeout + "; see " + dir.resolve("error.log"));
      }
      Thread.sleep(100);
    }
  }

  private static void run(Path log, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd).replaceAll("IDENTIFIED BY '[^']*'", "IDENTIFIED BY '***'")
          + " failed: " + Files.readString(log));
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
