package dev.featurepipe.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.ops.Hashing;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

/** Row checks, the exact merge of chunk statistics, and each aggregate rule's verdict. */
class SourceGateTest {

  private static final LocalDate DT = LocalDate.of(2026, 9, 1);

  private static SourceRules rules(String yaml) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    new YAMLMapper().readTree(yaml).forEach(nodes::add);
    return SourceRules.of(new SourceConfig("clickstream", "s3_jsonl", "clickstream/", "clickstream_event_v1", null,
        nodes), ClickstreamSchema.BRONZE);
  }

  private static Record row(int i, String user, BigDecimal price, String session, OffsetDateTime at) {
    Record r = GenericRecord.create(ClickstreamSchema.BRONZE);
    r.setField("event_id", "e-" + i);
    r.setField("event_time", at);
    r.setField("user_id", user);
    r.setField("product_id", "prod-1");
    r.setField("event_type", i % 3 == 0 ? "click" : "view");
    r.setField("price", price);
    r.setField("quantity", 1);
    r.setField("session_id", session);
    r.setField("_source_line", (long) i);
    return r;
  }

  private static final OffsetDateTime NOON = DT.atTime(12, 0).atOffset(ZoneOffset.UTC);

  /** Key hash side files kept in memory, as the chunk writer would store them. */
  private static ChunkQuality check(RowChecker checker, List<Record> rows, List<SourceRule> quarantinedBy,
      Map<String, byte[]> files) {
    for (Record r : rows) {
      SourceRule broken = checker.check(r);
      if (broken != null) {
        quarantinedBy.add(broken);
      }
    }
    return checker.finish((index, bytes) -> {
      String key = "keys/" + files.size() + "-" + index;
      files.put(key, bytes);
      return new FileEntry(key, bytes.length / 8, bytes.length, Hashing.sha256Hex(bytes));
    });
  }

  @Test
  void rowRulesQuarantineByTheFirstBrokenRuleAndAggregatesMergeTheSameHoweverRowsAreChunked() throws Exception {
    SourceRules rules = rules("""
        - {rule: ColumnValues, column: price, between: [0, 1000]}
        - {rule: ColumnValues, column: user_id, matches: '^user-[0-9]+$', action: warn}
        - {rule: Completeness, column: session_id, min: 0.6}
        - {rule: IsUnique, column: user_id}
        - {rule: Freshness, column: event_time, max_age_hours: 6}
        - {rule: RowCount, between: [1, 9]}
        """);
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      BigDecimal price = i == 4 ? new BigDecimal("5000.00") : i == 7 ? new BigDecimal("-1.00") : new BigDecimal(i + ".50");
      String user = i == 2 ? "admin" : "user-" + (i % 6);
      rows.add(row(i, user, price, i < 5 ? null : "s-" + i, NOON.plusHours(i)));
    }
    TreeMap<String, byte[]> files = new TreeMap<>();
    List<SourceRule> quarantined = new ArrayList<>();
    ChunkQuality whole = check(new RowChecker(rules, ClickstreamSchema.BRONZE), rows, quarantined, files);
    List<ChunkQuality> parts = new ArrayList<>();
    for (int from = 0; from < 10; from += 3) {
      parts.add(check(new RowChecker(rules, ClickstreamSchema.BRONZE), rows.subList(from, Math.min(10, from + 3)),
          new ArrayList<>(), files));
    }
    assertThat(quarantined).extracting(SourceRule::index).containsExactly(0, 0);

    SourceGate.Merged one = SourceGate.merge(rules, List.of(whole));
    SourceGate.Merged many = SourceGate.merge(rules, parts);
    assertThat(many.rules()).isEqualTo(one.rules());
    assertThat(many.checkedRows()).isEqualTo(10);
    assertThat(many.failedRows()).as("2 quarantined + admin").isEqualTo(3);

    Map<Integer, Long> dups = Map.of(3, KeyHashes.duplicates(many.keyFiles().get(3).stream()
        .map(f -> files.get(f.key())).toList()));
    assertThat(dups.get(3)).as("kept rows 0,1,2,3,5,6,8,9: user-0,1,admin,3,5,0,2,3: user-0 and user-3 repeat")
        .isEqualTo(2);
    List<RuleOutcome> outcomes = SourceGate.evaluate(rules, many, 8, DT, List.of(), dups, Map.of());

    assertThat(outcomes).extracting(RuleOutcome::outcome)
        .containsExactly("quarantined", "warn", "fail", "fail", "pass", "pass");
    assertThat(outcomes.get(0).violations()).isEqualTo(2);
    assertThat(outcomes.get(0).detail()).isEqualTo(
        "2 of 10 rows broke it and went to quarantine as quality:ColumnValues:price; kept values span [0.50, 9.50]");
    assertThat(outcomes.get(2).observed()).as("kept rows 0-3,5,6,8,9: 4 of 8 sessions").isEqualTo(0.5);
    assertThat(outcomes.get(2).detail()).isEqualTo("50% non-null (4 of 8 rows)");
    assertThat(outcomes.get(4).observed()).as("newest kept event 21:00, 3 h before midnight").isEqualTo(3.0);
  }

  @Test
  void rowCountChangeComparesWithTheTrailingMedianBothWays() throws Exception {
    SourceRules rules = rules("- {rule: RowCountChange}\n");
    SourceGate.Merged m = SourceGate.merge(rules, List.of());
    List<Long> week = List.of(1000L, 1100L, 900L, 1050L, 950L, 10L, 5000L); // median 1000
    assertThat(SourceGate.median(week)).isEqualTo(1000.0);
    assertThat(SourceGate.median(List.of(4L, 1L, 3L, 2L))).isEqualTo(2.5);
    RuleOutcome drop = SourceGate.evaluate(rules, m, 650, DT, week, Map.of(), Map.of()).get(0);
    assertThat(drop.outcome()).isEqualTo("fail");
    assertThat(drop.observed()).isEqualTo(-35.0);
    assertThat(drop.detail()).isEqualTo("650 rows vs a median of 1000 over 7 trailing partition(s): -35%");
    assertThat(SourceGate.evaluate(rules, m, 1199, DT, week, Map.of(), Map.of()).get(0).outcome()).isEqualTo("pass");
    assertThat(SourceGate.evaluate(rules, m, 1201, DT, week, Map.of(), Map.of()).get(0).outcome()).isEqualTo("fail");
    RuleOutcome first = SourceGate.evaluate(rules, m, 5, DT, List.of(), Map.of(), Map.of()).get(0);
    assertThat(first.outcome()).isEqualTo("pass");
    assertThat(first.observed()).isNull();
  }

  @Test
  void psiIsZeroForTheSameShapeAndLargeForAShiftedOne() {
    Binning log = Binning.log();
    TreeMap<Integer, Long> reference = new TreeMap<>();
    TreeMap<Integer, Long> same = new TreeMap<>();
    TreeMap<Integer, Long> doubled = new TreeMap<>();
    for (int cents = 100; cents < 50_000; cents += 7) {
      BigDecimal price = BigDecimal.valueOf(cents, 2);
      reference.merge(log.bin(price), 2L, Long::sum);
      same.merge(log.bin(price), 3L, Long::sum);
      doubled.merge(log.bin(price.multiply(BigDecimal.TWO)), 1L, Long::sum);
    }
    assertThat(Psi.of(reference, same)).isCloseTo(0.0, within(1e-12));
    assertThat(Psi.of(reference, doubled)).isGreaterThan(1.0);
    // Hand-computed: shares (0.5, 0.5) against (0.9, 0.1): 0.4 ln(1.8) + (-0.4) ln(0.2) = 0.878890
    assertThat(Psi.of(new TreeMap<>(Map.of(1, 5L, 2, 5L)), new TreeMap<>(Map.of(1, 9L, 2, 1L))))
        .isCloseTo(0.4 * Math.log(1.8) - 0.4 * Math.log(0.2), within(1e-12));
    assertThat(Psi.of(new TreeMap<>(), same)).isNaN();
  }

  @Test
  void fixedBinsDependOnlyOnTheRule() {
    Binning range = Binning.range(0, 100, 10);
    assertThat(range.bin(-0.01)).isEqualTo(0);
    assertThat(range.bin(0)).isEqualTo(1);
    assertThat(range.bin(new BigDecimal("99.99"))).isEqualTo(10);
    assertThat(range.bin(100L)).isEqualTo(11);
    Binning log = Binning.log();
    assertThat(log.bin(0)).isEqualTo(0);
    assertThat(log.bin(1)).isEqualTo(5);    // 1 + floor(4 * log2(2))
    assertThat(log.bin(-1)).isEqualTo(-5);
    assertThat(log.bin(3)).isEqualTo(9);    // 1 + floor(4 * log2(4))
    assertThat(Binning.hash().bin("view")).isEqualTo(Math.floorMod("view".hashCode(), 64));
  }

  @Test
  void distributionDriftComparesWithTheStoredReferenceAndPassesWithoutOne() throws Exception {
    SourceRules rules = rules("- {rule: DistributionDrift, column: event_type, max_psi: 0.2, action: warn}\n");
    RowChecker checker = new RowChecker(rules, ClickstreamSchema.BRONZE);
    for (int i = 0; i < 30; i++) {
      checker.check(row(i, "user-1", null, null, NOON));
    }
    SourceGate.Merged m = SourceGate.merge(rules, List.of(checker.finish((i, b) -> null)));
    RuleOutcome none = SourceGate.evaluate(rules, m, 30, DT, List.of(), Map.of(), Map.of()).get(0);
    assertThat(none.outcome()).isEqualTo("pass");
    assertThat(none.detail()).isEqualTo("no reference yet: this day's 30 values become the reference if the gate passes");
    TreeMap<Integer, Long> allViews = new TreeMap<>(Map.of(Binning.hash().bin("view"), 100L));
    var reference = new DistributionReference("clickstream", "event_type", "hash64", "2026-08-01", "r", 100, allViews);
    RuleOutcome drifted = SourceGate.evaluate(rules, m, 30, DT, List.of(), Map.of(), Map.of(0, reference)).get(0);
    assertThat(drifted.outcome()).as("a third are clicks now, none were").isEqualTo("warn");
    assertThat(drifted.observed()).isGreaterThan(0.2);
  }
}
