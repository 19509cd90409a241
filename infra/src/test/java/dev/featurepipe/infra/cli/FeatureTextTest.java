package dev.featurepipe.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.online.EntityFeatures;
import dev.featurepipe.online.GroupMeta;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FeatureTextTest {

  @Test
  void printsFeaturesInTheGroupsOrderNullsAsNullAndTheVectorLabelled() {
    GroupMeta meta = new GroupMeta("user_activity", 1, "user_id", "u:feat:", List.of(
        new GroupMeta.Feature("views_1d", 0, "long"), new GroupMeta.Feature("revenue_1d", 1, "decimal(38, 2)"),
        new GroupMeta.Feature("ctr_1d", 2, "double"), new GroupMeta.Feature("profile", 3, "list<float>")),
        Optional.of(new GroupMeta.Vector("profile", "float32-le", 2, List.of("books", "toys"))), new TreeMap<>(),
        "2026-11-24", "daily-2026-11-24", 1, "UNCHECKED");
    LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    values.put("views_1d", 3L);
    values.put("revenue_1d", new BigDecimal("1E+2").setScale(2));
    EntityFeatures f = new EntityFeatures("u:feat:u1", "user_activity_v1", LocalDate.parse("2026-11-24"),
        "daily-2026-11-24", values, new float[] {0.25f, 0.75f});
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    FeatureText.print(f, meta, new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("""
        u:feat:u1  user_activity_v1  as_of 2026-11-24  run daily-2026-11-24
          views_1d    3
          revenue_1d  100.00
          ctr_1d      null
          profile     float32[2]
            books  0.25
            toys   0.75
        """);
  }
}
