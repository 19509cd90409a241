package dev.featurepipe.infra.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The DynamoDB emulator: npm {@code dynalite} (pinned in infra/local/package.json) as a child
 * process on 127.0.0.1, persisting to a LevelDB directory. Its output goes to a log file, which is
 * also how readiness is seen: dynalite prints one line once it listens.
 */
final class Dynalite implements AutoCloseable {

  static final String NODE_PROPERTY = "featurepipe.node";

  /** dynalite's cli.js prints this once the server is listening. */
  private static final String LISTENING = "Dynalite listening at:";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  /** A free port picked by us can be taken by someone else before node binds it. */
  private static final int FREE_PORT_ATTEMPTS = 3;

  private final Process process;
  private final int port;
  private final Path logFile;

  private Dynalite(Process process, int port, Path logFile) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
  }

  /**
   * Starts dynalite and waits until it listens. {@code port} 0 picks a free port. Fails with a
   * message that says what to install or what is in the way.
   */
  static Dynalite start(Path repoRoot, int port, Path dataDir, Path logFile) {
    Path cli = repoRoot.resolve("infra/local/node_modules/dynalite/cli.js");
    Path preload = repoRoot.resolve("infra/local/exit-with-parent.cjs");
    if (!Files.isRegularFile(cli)) {
      throw new StackStartFailed(
          "The DynamoDB emulator is not installed (" + cli + " is missing): run `npm ci --prefix "
              + repoRoot.resolve("infra/local") + "` (./featurepipe installs it for you)");
    }
    String node = findNode();
    if (port != 0) {
      requireFree(port, "DynamoDB");
      return launch(node, preload, cli, port, dataDir, logFile);
    }
    StackStartFailed last = null;
    for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
      try {
        return launch(node, preload, cli, freePort(), dataDir, logFile);
      } catch (PortTaken e) {
        last = e;
      }
    }
    throw last;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static Dynalite launch(
      String node, Path preload, Path cli, int port, Path dataDir, Path logFile) {
    List<String> command =
        List.of(
            node,
            "-r",
            preload.toString(),
            cli.toString(),
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--path",
            dataDir.toString(),
            // Real DynamoDB keeps a new table CREATING for seconds; dynalite imitates that with
            // 500 ms by default. The stack waits for ACTIVE anyway, so skip the wait: it is most
            // of a first start.
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
            "--updateTableMs",
            "0");
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
    } catch (IOException e) {
      throw new StackStartFailed(
          "Cannot start the DynamoDB emulator with `" + node + "`: " + e.getMessage()
              + ". Install Node.js 20 or newer (./featurepipe checks for it)",
          e);
    }
    Dynalite dynalite = new Dynalite(process, port, logFile);
    try {
      dynalite.awaitListening();
      return dynalite;
    } catch (RuntimeException e) {
      dynalite.close();
      throw e;
    }
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String log = readLog();
      if (log.contains(LISTENING)) {
        return;
      }
      if (!process.isAlive()) {
        throw failure(log);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StackStartFailed("Interrupted while waiting for the DynamoDB emulator", e);
      }
    }
    throw new StackStartFailed(
        "The DynamoDB emulator did not listen on 127.0.0.1:" + port + " within "
            + START_TIMEOUT.toSeconds() + " s; its output (" + logFile + "):\n" + readLog());
  }

  private StackStartFailed failure(String log) {
    if (log.contains("EADDRINUSE")) {
      return new PortTaken(port, "DynamoDB");
    }
    return new StackStartFailed(
        "The DynamoDB emulator exited with code " + process.exitValue() + " before listening; its"
            + " output (" + logFile + "):\n" + log);
  }

  private String readLog() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** System property {@value #NODE_PROPERTY} (the launcher's choice), else node on PATH. */
  private static String findNode() {
    String configured = System.getProperty(NODE_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    Optional<Path> onPath =
        Optional.ofNullable(System.getenv("PATH")).stream()
            .flatMap(path -> List.of(path.split(File.pathSeparator)).stream())
            .filter(dir -> !dir.isBlank())
            .map(dir -> Path.of(dir, "node"))
            .filter(Files::isExecutable)
            .findFirst();
    return onPath
        .map(Path::toString)
        .orElseThrow(
            () ->
                new StackStartFailed(
                    "The DynamoDB emulator needs Node.js 20 or newer, and `node` is not on PATH:"
                        + " install Node.js, then run `npm ci --prefix infra/local`"
                        + " (./featurepipe does both checks for you)"));
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port on 127.0.0.1", e);
    }
  }

  /** Fails with a clear message when a fixed port is taken, before anything is started on it. */
  static void requireFree(int port, String service) {
    try {
      // Binding succeeds only on a free port; closing frees it again for the real server.
      new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close();
    } catch (IOException e) {
      throw new PortTaken(port, service);
    }
  }
}
