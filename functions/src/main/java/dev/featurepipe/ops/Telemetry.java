package dev.featurepipe.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where structured logs and EMF metrics go. On Lambda: stdout, which CloudWatch Logs ingests and
 * from which it extracts EMF metrics. Locally the CLI sets {@code featurepipe.telemetry} to {@code
 * file:<path>} (appended, one JSON object per line) to keep the terminal readable; {@code off} and
 * {@code stderr} also work.
 */
public final class Telemetry {

  public static final String PROPERTY = "featurepipe.telemetry";

  private static String openedFor;
  private static PrintStream file;

  private Telemetry() {}

  static synchronized PrintStream out() {
    String where = System.getProperty(PROPERTY, "stdout");
    if (where.startsWith("file:")) {
      if (!where.equals(openedFor)) {
        if (file != null) {
          file.close();
        }
        try {
          Path path = Path.of(where.substring("file:".length()));
          Files.createDirectories(path.toAbsolutePath().getParent());
          file = new PrintStream(Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
              true, StandardCharsets.UTF_8);
          openedFor = where;
        } catch (IOException e) {
          throw new UncheckedIOException("cannot open the telemetry file " + where, e);
        }
      }
      return file;
    }
    return switch (where) {
      case "off" -> null;
      case "stderr" -> System.err;
      default -> System.out;
    };
  }
}
