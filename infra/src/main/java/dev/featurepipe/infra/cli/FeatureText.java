package dev.featurepipe.infra.cli;

import dev.featurepipe.online.EntityFeatures;
import dev.featurepipe.online.GroupMeta;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code ./featurepipe get}'s text: one entity's features in the group's order, the vector labelled. */
final class FeatureText {

  private FeatureText() {}

  static void print(EntityFeatures f, GroupMeta meta, PrintStream out) {
    out.printf(Locale.ROOT, "%s  %s  as_of %s  run %s%n", f.key(), f.group(), f.asOf(), f.runId());
    int width = meta.features().stream().mapToInt(x -> x.name().length()).max().orElse(0);
    for (GroupMeta.Feature feature : meta.features()) {
      if (meta.vector().isPresent() && meta.vector().get().attribute().equals(feature.name())) {
        continue;
      }
      Object v = f.values().get(feature.name());
      out.printf(Locale.ROOT, "  %-" + width + "s  %s%n", feature.name(), v == null ? "null" : text(v));
    }
    meta.vector().ifPresent(vector -> {
      float[] values = f.vector();
      out.printf(Locale.ROOT, "  %-" + width + "s  %s%n", vector.attribute(), values == null ? "null"
          : "float32[" + values.length + "]");
      if (values != null) {
        int labelWidth = vector.order().stream().mapToInt(String::length).max().orElse(0);
        for (int i = 0; i < values.length; i++) {
          out.printf(Locale.ROOT, "    %-" + labelWidth + "s  %s%n", vector.order().get(i), values[i]);
        }
      }
    });
  }

  private static String text(Object v) {
    return switch (v) {
      case BigDecimal d -> d.toPlainString();
      case List<?> list -> list.stream().map(FeatureText::text).toList().toString();
      case Map<?, ?> map -> map.toString();
      default -> v.toString();
    };
  }
}
