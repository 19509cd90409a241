package dev.featurepipe.infra.demo;

import dev.featurepipe.infra.stack.StackStartFailed;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** The demo sources' fixed loopback ports: a taken one stops the demo with one line naming it. */
final class LoopbackPort {

  private LoopbackPort() {}

  /** Fails when {@code port} on 127.0.0.1 cannot be bound now; {@code service} says who wanted it. */
  static void requireFree(int port, String service) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      throw taken(port, service);
    }
  }

  static StackStartFailed taken(int port, String service) {
    return new StackStartFailed("Port " + port + " on 127.0.0.1 (" + service + ") is in use: stop whatever listens "
        + "there (another ./featurepipe demo?) and run again");
  }
}
