package dev.featurepipe.infra.stack;

/** A port the stack needs on 127.0.0.1 is taken; with port 0 the stack retries another one. */
final class PortTaken extends StackStartFailed {

  private static final long serialVersionUID = 1L;

  PortTaken(int port, String service) {
    super(
        "Port " + port + " on 127.0.0.1 (" + service + ") is in use: stop whatever listens there"
            + " (another ./featurepipe stack?) or choose other ports");
  }
}
