package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.sfn.HistoryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns an execution's history into per-state wall times (top-level states, in the order entered). */
final class RunReport {

  private RunReport() {}

  static Map<String, Duration> stageDurations(ExecutionResult result, List<String> topLevelStates) {
    Map<String, Instant> entered = new LinkedHashMap<>();
    Map<String, Instant> exited = new LinkedHashMap<>();
    for (HistoryEvent e : result.history()) {
      if (e.stateName() == null || !topLevelStates.contains(e.stateName())) {
        continue;
      }
      if (e.type().endsWith("StateEntered")) {
        entered.putIfAbsent(e.stateName(), e.timestamp());
      } else if (e.type().endsWith("StateExited")) {
        exited.put(e.stateName(), e.timestamp());
      }
    }
    Map<String, Duration> out = new LinkedHashMap<>();
    entered.forEach((state, start) -> {
      Instant end = exited.get(state);
      if (end != null) {
        out.put(state, Duration.between(start, end));
      }
    });
    return out;
  }

  static Duration total(ExecutionResult result) {
    List<HistoryEvent> h = result.history();
    return h.isEmpty() ? Duration.ZERO : Duration.between(h.get(0).timestamp(), h.get(h.size() - 1).timestamp());
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? "-" : v.asText();
  }

  static long number(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null ? 0 : v.asLong();
  }

  static String ms(Duration d) {
    return String.format(java.util.Locale.ROOT, "%,d ms", d.toMillis());
  }

  static String mb(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
