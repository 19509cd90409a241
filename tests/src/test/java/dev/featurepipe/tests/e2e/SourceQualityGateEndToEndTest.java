package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.lineage.RunRecord;
import dev.featurepipe.ops.Json;
import dev.featurepipe.quality.QualityReport;
import dev.featurepipe.quality.RuleOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bronze quality rules in real daily runs: hand-made clickstream days, each with one injected
 * defect whose expected effect is known by construction (how many nulls, rows, out-of-range
 * prices, repeated ids). A failed gate leaves the last good state: the Bronze manifest, the Silver
 * snapshot and the DynamoDB items; the next good day publishes normally. The tests run in order,
 * each date's history (the trailing row counts, the price reference) building on the ones before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SourceQualityGateEndToEndTest {

  /** The rules under test, added to the shipped config's clickstream source. */
  static final String RULES = """
          quality:
            - {rule: Completeness, column: session_id, min: 0.8}
            - {rule: ColumnValues, column: price, between: [0, 1000]}
            - {rule: IsUnique, column: event_id}
            - {rule: RowCountChange, max_percent: 20}
            - {rule: Freshness, column: event_time, max_age_hours: 30}
            - {rule: DistributionDrift, column: price, max_psi: 0.2}
            - {rule: ColumnValues, column: event_type, in: [view, click, add_to_cart, purchase], action: fail}
      """;

  static final LocalDate D1 = LocalDate.of(2026, 9, 1);
  static final LocalDate D2 = D1.plusDays(1);
  static final LocalDate D3 = D1.plusDays(2);
  static final LocalDate D4 = D1.plusDays(3);
  static final LocalDate D5 = D1.plusDays(4);
  static final LocalDate D6 = D1.plusDays(5);
  static final int EVENTS = 2000;

  @TempDir static Path tempDir;
  static LocalStackFixture stack;

  @BeforeAll
  static void start() throws IOException {
    String yaml = Files.readString(RepoRoot.locate().resolve("config/pipeline.yaml"));
    String anchor = "    options: {allowed_lateness_days: 2}\n";
    assertThat(yaml).contains(anchor);
    LoadedConfig config = ConfigLoader.load(yaml.replace(anchor, anchor + RULES).getBytes(StandardCharsets.UTF_8),
        "quality-test.yaml");
    stack = new LocalStackFixture(tempDir, config, UnaryOperator.identity());
  }

  @AfterAll
  static void stop() {
    if (stack != null) stack.close();
  }

  /**
   * One day of events in two gzip objects. Every event has a price of 10.00 to 499.00 (times {@code
   * priceFactor}), a session except where {@code i % 10 < nullTenths}, and its own id; the first
   * {@code outOfRange} events cost 5000.00, and the last {@code repeatedIds} events reuse the ids
   * of the first ones.
   */
  static void deliver(LocalDate date, int events, int nullTenths, int outOfRange, int repeatedIds, double priceFactor) {
    String[] types = {"view", "view", "view", "click", "add_to_cart", "purchase"};
    StringBuilder[] objects = {new StringBuilder(), new StringBuilder()};
    long start = date.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    for (int i = 0; i < events; i++) {
      ObjectNode n = Json.mapper().createObjectNode();
      int idOf = i >= events - repeatedIds ? i - (events - repeatedIds) : i;
      n.put("event_id", "e-" + date + "-" + idOf);
      n.put("event_time", Instant.ofEpochMilli(start + (long) i * (86_400_000L / events)).toString());
      n.put("user_id", String.format(Locale.ROOT, "user-%07d", i % 300));
      n.put("product_id", String.format(Locale.ROOT, "prod-%05d", i % 50));
      n.put("event_type", types[i % types.length]);
      BigDecimal price = i < outOfRange ? new BigDecimal("5000.00")
          : BigDecimal.valueOf((1000 + (i * 3_700L) % 48_900) * priceFactor / 100.0).setScale(2, java.math.RoundingMode.HALF_EVEN);
      n.put("price", price);
      n.put("quantity", 1);
      if (i % 10 >= nullTenths) {
        n.put("session_id", "s-" + (i / 7));
      }
      objects[i % 2].append(n).append('\n');
    }
    for (int o = 0; o < 2; o++) {
      stack.putSourceObject("clickstream/dt=" + date + "/part-" + o + ".jsonl.gz", gzip(objects[o].toString()));
    }
  }

  static byte[] gzip(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static QualityReport report(LocalDate date) {
    return stack.lake().getJson(LakeLayout.bronzeQualityReport("daily-" + date), QualityReport.class);
  }

  static RuleOutcome outcome(LocalDate date, int index) {
    return report(date).sources().get(0).rules().get(index);
  }

  /** The failure as the run record keeps it; also checks that SealBronze ran once (no retry of the gate). */
  static RunRecord.Failure failedAtTheGate(ExecutionResult result, LocalDate date) {
    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).contains("dev.featurepipe.errors.QualityGateFailed");
    assertThat(result.history()).filteredOn(e -> "SealBronze".equals(e.stateName())
        && e.type().equals("TaskScheduled")).hasSize(1);
    RunRecord record = stack.runRecord(date);
    assertThat(record.status()).isEqualTo("FAILED");
    assertThat(record.failure().error()).isEqualTo("dev.featurepipe.errors.QualityGateFailed");
    return record.failure();
  }

  /** How every gate failure begins: the count, and where the report is. */
  static String failed(int rules, LocalDate date) {
    return "quality gate failed on " + rules + " rule(s), nothing was sealed or published (report: "
        + "s3://featurepipe-lake/runs/run_id=daily-" + date + "/quality/bronze.json, readable: quality.html beside it): ";
  }

  @Test
  @Order(1)
  void goodDaysPassEveryRuleAndTheFirstStoresThePriceReference() {
    deliver(D1, EVENTS, 1, 0, 0, 1.0);
    assertThat(stack.runDaily(D1, Map.of()).status()).isEqualTo("SUCCEEDED");
    assertThat(report(D1).outcome()).isEqualTo("pass");
    assertThat(report(D1).rules()).isEqualTo(7);
    assertThat(report(D1).rulesPassed()).isEqualTo(7);
    assertThat(report(D1).passRatePercent()).isEqualTo(100.0);
    assertThat(outcome(D1, 0).observed()).as("1 in 10 sessions missing").isEqualTo(0.9);
    JsonNode reference = Json.read(stack.lake().get(LakeLayout.qualityReference("clickstream", "price")), JsonNode.class);
    assertThat(reference.get("dt").asText()).isEqualTo(D1.toString());
    assertThat(reference.get("values").asLong()).isEqualTo(EVENTS);
    String html = new String(stack.lake().get(LakeLayout.qualityHtml("daily-" + D1)), StandardCharsets.UTF_8);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("DistributionDrift").doesNotContain("<script");

    deliver(D2, EVENTS, 1, 0, 0, 1.0);
    assertThat(stack.runDaily(D2, Map.of()).status()).isEqualTo("SUCCEEDED");
    assertThat(outcome(D2, 5).outcome()).isEqualTo("pass");
    assertThat(outcome(D2, 5).observed()).as("same prices as the reference day").isEqualTo(0.0);
    assertThat(outcome(D2, 3).observed()).as("the same count as D1").isEqualTo(0.0);
  }

  @Test
  @Order(2)
  void aColumnTurning40PercentNullFailsTheGateAndLeavesTheLastGoodStateServed() {
    byte[] manifestBefore = stack.lake().get(LakeLayout.bronzeManifest("clickstream", D2));
    long snapshotBefore = stack.silverTable().currentSnapshot().snapshotId();
    var itemsBefore = stack.onlineItems();

    deliver(D2, EVENTS, 4, 0, 0, 1.0); // the same day delivered again, 40% of sessions missing
    RunRecord.Failure failure = failedAtTheGate(stack.runDaily(D2, Map.of()), D2);

    assertThat(failure.message()).isEqualTo(failed(1, D2)
        + "sources[clickstream].quality[0] Completeness(session_id) on bronze/source_id=clickstream/dt=" + D2
        + "/: observed 0.6, allowed >= 0.8 non-null share (60% non-null (1200 of 2000 rows))");
    assertThat(stack.lake().get(LakeLayout.bronzeManifest("clickstream", D2))).isEqualTo(manifestBefore);
    stack.silverTable().refresh();
    assertThat(stack.silverTable().currentSnapshot().snapshotId()).isEqualTo(snapshotBefore);
    assertThat(stack.onlineItems()).isEqualTo(itemsBefore);
    assertThat(report(D2).outcome()).isEqualTo("fail");
    assertThat(report(D2).sources().get(0).rules()).extracting(RuleOutcome::outcome)
        .containsExactly("fail", "pass", "pass", "pass", "pass", "pass", "pass");
  }

  @Test
  @Order(3)
  void aDayWith35PercentFewerRowsFailsRowCountChangeThenItsRedeliveryQuarantinesOutOfRangePricesExactly() {
    deliver(D3, 1300, 1, 0, 0, 1.0);
    RunRecord.Failure failure = failedAtTheGate(stack.runDaily(D3, Map.of()), D3);
    assertThat(failure.message()).isEqualTo(failed(1, D3)
        + "sources[clickstream].quality[3] RowCountChange on bronze/source_id=clickstream/dt=" + D3
        + "/: observed -35, allowed |delta| <= 20% of the trailing 7-day median (1300 rows vs a median of 2000 over 2"
        + " trailing partition(s): -35%)");
    assertThat(stack.lake().find(LakeLayout.bronzeManifest("clickstream", D3))).isEmpty();
    assertThat(stack.onlineItems(D3)).isEmpty();

    deliver(D3, EVENTS, 1, 7, 0, 1.0); // the full day, 7 prices of 5000.00
    assertThat(stack.runDaily(D3, Map.of()).status()).isEqualTo("SUCCEEDED");
    PartitionManifest m = stack.lake().getJson(LakeLayout.bronzeManifest("clickstream", D3), PartitionManifest.class);
    assertThat(m.rows()).isEqualTo(EVENTS - 7);
    assertThat(m.rejectReasons()).containsExactly(Map.entry("quality:ColumnValues:price", 7L));
    List<JsonNode> lines = new ArrayList<>();
    for (var f : m.quarantineFiles()) {
      for (String line : new String(stack.lake().get(f.key()), StandardCharsets.UTF_8).split("\n")) {
        lines.add(Json.read(line.getBytes(StandardCharsets.UTF_8), JsonNode.class));
      }
    }
    assertThat(lines).hasSize(7).allSatisfy(l -> {
      assertThat(l.get("reason").asText()).isEqualTo("quality:ColumnValues:price");
      assertThat(l.get("detail").asText())
          .isEqualTo("sources[clickstream].quality[1] ColumnValues(price): between [0, 1000]");
      assertThat(Json.read(l.get("raw").asText().getBytes(StandardCharsets.UTF_8), JsonNode.class).get("price")
          .decimalValue()).isEqualByComparingTo("5000.00");
    });
    RuleOutcome prices = outcome(D3, 1);
    assertThat(prices.outcome()).isEqualTo("quarantined");
    assertThat(prices.violations()).isEqualTo(7);
    assertThat(report(D3).passRatePercent()).isEqualTo(100.0 * (EVENTS - 7) / EVENTS);
    assertThat(stack.onlineItems(D3)).isNotEmpty();
  }

  @Test
  @Order(4)
  void aFailedRedeliveryLeavesTheSealedPartitionsQuarantineFilesAsTheirManifestRecordsThem() {
    byte[] manifestBefore = stack.lake().get(LakeLayout.bronzeManifest("clickstream", D3));
    deliver(D3, EVENTS, 4, 3, 0, 1.0); // 3 prices out of range again, and 40% of sessions missing
    failedAtTheGate(stack.runDaily(D3, Map.of()), D3);

    assertThat(stack.lake().get(LakeLayout.bronzeManifest("clickstream", D3))).isEqualTo(manifestBefore);
    PartitionManifest m = Json.read(manifestBefore, PartitionManifest.class);
    assertThat(m.quarantineFiles()).hasSize(2).allSatisfy(f ->
        assertThat(dev.featurepipe.ops.Hashing.sha256Hex(stack.lake().get(f.key()))).isEqualTo(f.sha256()));
  }

  @Test
  @Order(5)
  void repeatedEventIdsFailIsUnique() {
    deliver(D4, EVENTS, 1, 0, 5, 1.0);
    RunRecord.Failure failure = failedAtTheGate(stack.runDaily(D4, Map.of()), D4);
    assertThat(failure.message()).isEqualTo(failed(1, D4)
        + "sources[clickstream].quality[2] IsUnique(event_id) on bronze/source_id=clickstream/dt=" + D4
        + "/: observed 5, allowed no duplicate non-null values (5 duplicate(s) among 2000 non-null values)");
    assertThat(stack.lake().find(LakeLayout.bronzeManifest("clickstream", D4))).isEmpty();
  }

  @Test
  @Order(6)
  void pricesShiftedUpwardsFailDistributionDriftAgainstTheStoredReference() {
    deliver(D5, EVENTS, 1, 0, 0, 1.9);
    RunRecord.Failure failure = failedAtTheGate(stack.runDaily(D5, Map.of()), D5);
    RuleOutcome drift = outcome(D5, 5);
    assertThat(drift.outcome()).isEqualTo("fail");
    assertThat(drift.observed()).isGreaterThan(0.2);
    assertThat(failure.message()).startsWith(failed(1, D5))
        .contains("sources[clickstream].quality[5] DistributionDrift(price) on "
        + "bronze/source_id=clickstream/dt=" + D5 + "/: observed ").contains("allowed PSI <= 0.2 against the stored reference");
    assertThat(report(D5).failures()).extracting(RuleOutcome::rule).containsExactly("DistributionDrift");
  }

  @Test
  @Order(7)
  void theNextGoodDayPublishesNormally() {
    var itemsBefore = stack.onlineItems(D6);
    deliver(D6, EVENTS, 1, 0, 0, 1.0);
    assertThat(stack.runDaily(D6, Map.of()).status()).isEqualTo("SUCCEEDED");
    assertThat(itemsBefore).isEmpty();
    assertThat(stack.onlineItems(D6)).hasSize(50);
    assertThat(report(D6).outcome()).isEqualTo("pass");
    assertThat(Json.read(stack.metaItem().get("meta").s().getBytes(StandardCharsets.UTF_8), JsonNode.class)
        .get("quality_status").asText()).as("meta carries the gate's verdict on the group's source").isEqualTo("PASS");
    assertThat(outcome(D6, 3).detail()).as("D1, D2 and D3 sealed; D4 and D5 were refused")
        .isEqualTo("2000 rows vs a median of 2000 over 3 trailing partition(s): 0%");
  }
}
