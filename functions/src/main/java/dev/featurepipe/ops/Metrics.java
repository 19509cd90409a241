package dev.featurepipe.ops;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * CloudWatch Embedded Metric Format: one JSON log line per event carries the metric values and the
 * directive that turns them into metrics, with no API call from the function. Names are those of
 * DESIGN.md section 8; the timestamp is the only clock read and lands in logs, never in data.
 */
public final class Metrics {

  public static final String NAMESPACE = "FeaturePipe";

  public static final String PIPELINE_DURATION = "pipeline_duration";
  public static final String FEATURE_FRESHNESS_LAG = "feature_freshness_lag";
  public static final String DATA_QUALITY_PASS_RATE = "data_quality_pass_rate";
  public static final String ROW_COUNT_DELTA_PERCENT = "row_count_delta_percent";
  /** Sources down when a run was planned: above 0 the run ended PARTIAL (the alert). */
  public static final String SOURCES_UNAVAILABLE = "sources_unavailable";
  /** DynamoDB requests refused with a throttling or server error and sent again (DESIGN.md section 8). */
  public static final String THROTTLES = "throttles";

  private Metrics() {}

  public static void emit(String event, String runId, SortedMap<String, Double> values) {
    PrintStream out = Telemetry.out();
    if (out == null) {
      return;
    }
    List<Map<String, String>> defs = new ArrayList<>();
    for (String name : values.keySet()) {
      defs.add(Map.of("Name", name, "Unit", name.startsWith("bytes") ? "Bytes" : "Count"));
    }
    Map<String, Object> directive = new LinkedHashMap<>();
    directive.put("Namespace", NAMESPACE);
    directive.put("Dimensions", List.of(List.of("event")));
    directive.put("Metrics", defs);
    Map<String, Object> line = new LinkedHashMap<>(values);
    line.put("_aws", Map.of("Timestamp", System.currentTimeMillis(), "CloudWatchMetrics", List.of(directive)));
    line.put("event", event);
    line.put("run_id", runId);
    out.println(Json.string(line));
  }
}
