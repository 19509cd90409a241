package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.PartitionManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late events through the daily workflow. The clickstream allows events up to 2 days old in a
 * day's delivery (config/pipeline.yaml): they land in their own day's tiles, so later dates' windows
 * count them on the day they happened, while features already published for earlier dates never
 * change (they are what was known then). Events from the future, or older than allowed, are
 * quarantined with a reason.
 */
class LateEventsEndToEndTest {

  private static String event(String id, String time, String product, String type) {
    return "{\"event_id\":\"" + id + "\",\"event_time\":\"" + time + "\",\"user_id\":\"user-late\",\"product_id\":\""
        + product + "\",\"event_type\":\"" + type + "\",\"quantity\":1}\n";
  }

  @Test
  void lateEventsCountOnTheirOwnDayInLaterWindowsAndNeverRewriteEarlierFeatures(@TempDir Path tempDir) {
    LocalDate d1 = LocalDate.of(2026, 10, 5);
    LocalDate d2 = d1.plusDays(1);
    LocalDate d3 = d2.plusDays(1);
    try (LocalStackFixture stack = new LocalStackFixture(tempDir)) {
      stack.upload(101, d1, 1_000, 1, 0);
      stack.putSourceObject("clickstream/dt=" + d1 + "/hand-00000.jsonl",
          event("a-1", d1 + "T09:00:00Z", "prod-late", "view").getBytes(StandardCharsets.UTF_8));
      assertThat(stack.runDaily(d1, Map.of()).status()).isEqualTo("SUCCEEDED");
      Map<String, String> d1Features = stack.objectHashes("silver/product_stats/v_1/data/dt=" + d1 + "/");
      Record asOfD1 = row(stack, d1, "prod-late");
      assertThat(asOfD1.getField("views_1d")).isEqualTo(1L);

      // d2's delivery: 2 views of d2, 3 late views of d1, and 2 that must not count: one from the
      // future (d3) and one 3 days old (beyond the allowed 2).
      stack.upload(102, d2, 1_000, 1, 0);
      String feed = event("b-1", d2 + "T10:00:00Z", "prod-late", "view")
          + event("b-2", d2 + "T11:00:00Z", "prod-late", "view")
          + event("b-3", d1 + "T20:00:00Z", "prod-late", "view")
          + event("b-4", d1 + "T21:00:00Z", "prod-late", "view")
          + event("b-5", d1 + "T23:59:59Z", "prod-late", "view")
          + event("b-6", d3 + "T00:00:00Z", "prod-late", "view")
          + event("b-7", d2.minusDays(3) + "T12:00:00Z", "prod-late", "view")
          // A re-delivered late event: counted once (dedupe by event id within the delivery).
          + event("b-3", d1 + "T20:00:00Z", "prod-late", "view");
      stack.putSourceObject("clickstream/dt=" + d2 + "/hand-00000.jsonl", feed.getBytes(StandardCharsets.UTF_8));
      assertThat(stack.runDaily(d2, Map.of()).status()).isEqualTo("SUCCEEDED");

      PartitionManifest bronze = stack.lake().getJson(LakeLayout.bronzeManifest("clickstream", d2),
          PartitionManifest.class);
      assertThat(bronze.rejectReasons()).containsEntry("event_time_outside_partition", 2L);
      Record asOfD2 = row(stack, d2, "prod-late");
      assertThat(asOfD2.getField("views_1d")).as("d2's own views only").isEqualTo(2L);
      assertThat(asOfD2.getField("views_7d")).as("d1: 1 on time + 3 late; d2: 2").isEqualTo(6L);

      // The features published for d1 stay what was known at d1, and recomputing d1 gives the same bytes.
      assertThat(stack.objectHashes("silver/product_stats/v_1/data/dt=" + d1 + "/")).isEqualTo(d1Features);
      assertThat(stack.runDaily(d1, Map.of(), true).status()).isEqualTo("SUCCEEDED");
      assertThat(stack.objectHashes("silver/product_stats/v_1/data/dt=" + d1 + "/")).isEqualTo(d1Features);
      assertThat(row(stack, d1, "prod-late").getField("views_7d")).isEqualTo(1L);

      // d3: the late d1 views are still in the 7-day window, on d1; nothing of prod-late happened on d3.
      stack.upload(103, d3, 1_000, 1, 0);
      assertThat(stack.runDaily(d3, Map.of()).status()).isEqualTo("SUCCEEDED");
      Record asOfD3 = row(stack, d3, "prod-late");
      assertThat(asOfD3.getField("views_1d")).isEqualTo(0L);
      assertThat(asOfD3.getField("views_7d")).isEqualTo(6L);
    }
  }

  private static Record row(LocalStackFixture stack, LocalDate date, String product) {
    Map<String, Record> rows = new TreeMap<>();
    stack.silverRows(date).forEach(r -> rows.put((String) r.getField("product_id"), r));
    assertThat(rows).containsKey(product);
    return rows.get(product);
  }
}
