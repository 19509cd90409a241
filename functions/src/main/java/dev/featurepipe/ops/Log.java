package dev.featurepipe.ops;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Structured JSON logs: one line per event with ids, counts, keys and durations. Never row
 * contents, events' payloads, credentials or presigned URLs (CONVENTIONS.md).
 */
public final class Log {

  public static final String EVENT = "event";
  public static final String STEP = "step";
  public static final String RUN_ID = "run_id";

  private Log() {}

  /** {@code fields} alternate name, value. */
  public static void info(String step, String event, Object... fields) {
    PrintStream out = Telemetry.out();
    if (out == null) {
      return;
    }
    if (fields.length % 2 != 0) {
      throw new IllegalArgumentException("[BUG] log fields must be name/value pairs");
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("level", "INFO");
    line.put(STEP, step);
    line.put(EVENT, event);
    for (int i = 0; i < fields.length; i += 2) {
      line.put((String) fields[i], fields[i + 1]);
    }
    out.println(Json.string(line));
  }
}
