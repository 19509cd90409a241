package dev.featurepipe.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.infra.stack.StackStartFailed;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's sources listen on fixed ports; one that is taken fails at once, naming the port and who wanted it. */
class DemoPortsTest {

  @Test
  void aTakenPostgresPortFailsNamingItBeforeAnythingStarts(@TempDir Path tempDir) throws Exception {
    try (ServerSocket taken = bound()) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> DemoDatabase.start(tempDir.resolve("postgres"), port, tempDir.resolve("postgres.log")))
          .isInstanceOf(StackStartFailed.class)
          .hasMessage("Port " + port + " on 127.0.0.1 (the demo's PostgreSQL) is in use: stop whatever listens there "
              + "(another ./featurepipe demo?) and run again");
      assertThatThrownBy(() -> Files.list(tempDir.resolve("postgres")).close()).as("no initdb ran")
          .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
  }

  @Test
  void aTakenApiPortFailsNamingIt() throws Exception {
    try (ServerSocket taken = bound()) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> CatalogApi.start(port, "token", List.of()))
          .isInstanceOf(StackStartFailed.class)
          .hasMessage("Port " + port + " on 127.0.0.1 (the demo's product catalog API) is in use: stop whatever "
              + "listens there (another ./featurepipe demo?) and run again");
    }
  }

  @Test
  void startingInTheBackgroundChecksThePortsBeforeItReturns(@TempDir Path tempDir) throws Exception {
    var clicks = new ClickstreamGenerator.Spec(1L, java.time.LocalDate.of(2026, 11, 24), 10, 1, 10, 10, 0);
    try (ServerSocket taken = bound()) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> DemoSources.startInBackground(tempDir, new DemoSources.Ports(0, port),
              UsersGenerator.generate(UsersGenerator.Spec.of(clicks)), CatalogGenerator.generate(CatalogGenerator.Spec.of(clicks))))
          .isInstanceOf(StackStartFailed.class)
          .hasMessageStartingWith("Port " + port + " on 127.0.0.1 (the demo's product catalog API) is in use");
      assertThat(tempDir).as("nothing written, nothing started").isEmptyDirectory();
    }
  }

  private static ServerSocket bound() throws Exception {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return s;
  }
}
