package dev.featurepipe.tests.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every CloudWatch alarm on a FeaturePipe metric watches something the code emits: a metric name
 * and {@code event} dimension that appear together in one source file's {@code Metrics.emit}
 * call. An alarm on a metric nobody emits never fires (missing data is "not breaching"), which
 * is how the freshness alarm and the quality alarms once watched nothing.
 */
class AlarmMetricsContractTest {

  private static final Pattern EMIT = Pattern.compile("Metrics\\.emit\\(\"(\\w+)\"");
  private static final Pattern CONSTANT = Pattern.compile("public static final String (\\w+) = \"([^\"]+)\";");

  record Watched(String alarm, String metric, String event) {}

  @Test
  void everyFeaturePipeAlarmWatchesAMetricThatIsEmittedWithItsEventDimension() throws IOException {
    List<Watched> watched = watched();
    assertThat(watched).as("the template's alarms on FeaturePipe metrics").hasSizeGreaterThanOrEqualTo(4);

    Path main = ContractFiles.root().resolve("functions/src/main/java");
    Map<String, String> constants = new TreeMap<>();
    Matcher c = CONSTANT.matcher(Files.readString(main.resolve("dev/featurepipe/ops/Metrics.java")));
    while (c.find()) {
      constants.put(c.group(2), "Metrics." + c.group(1));
    }
    List<String> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(main)) {
      files.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
        try {
          sources.add(Files.readString(p));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    for (Watched w : watched) {
      assertThat(sources).as("%s watches %s with event=%s: some file must emit it", w.alarm(), w.metric(), w.event())
          .anySatisfy(text -> {
            List<String> events = new ArrayList<>();
            Matcher m = EMIT.matcher(text);
            while (m.find()) {
              events.add(m.group(1));
            }
            assertThat(events).contains(w.event());
            String constant = constants.get(w.metric());
            assertThat(text.contains("\"" + w.metric() + "\"") || (constant != null && text.contains(constant)))
                .isTrue();
          });
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Watched> watched() {
    Map<String, Object> resources = (Map<String, Object>) CfnYaml.load(ContractFiles.template()).get("Resources");
    List<Watched> out = new ArrayList<>();
    resources.forEach((id, value) -> {
      Map<String, Object> r = (Map<String, Object>) value;
      if (!"AWS::CloudWatch::Alarm".equals(r.get("Type"))) {
        return;
      }
      Map<String, Object> p = (Map<String, Object>) r.get("Properties");
      List<Map<String, Object>> metrics = new ArrayList<>();
      if (p.containsKey("MetricName")) {
        metrics.add(p);
      }
      for (Object q : (List<Object>) p.getOrDefault("Metrics", List.of())) {
        Map<String, Object> stat = (Map<String, Object>) ((Map<String, Object>) q).get("MetricStat");
        if (stat != null) {
          metrics.add((Map<String, Object>) stat.get("Metric"));
        }
      }
      for (Map<String, Object> m : metrics) {
        if (!"FeaturePipe".equals(m.get("Namespace"))) {
          continue;
        }
        String event = null;
        for (Object d : (List<Object>) m.getOrDefault("Dimensions", List.of())) {
          Map<String, Object> dim = (Map<String, Object>) d;
          if ("event".equals(dim.get("Name"))) {
            event = String.valueOf(dim.get("Value"));
          }
        }
        out.add(new Watched(id, String.valueOf(m.get("MetricName")), event));
      }
    });
    return out;
  }
}
