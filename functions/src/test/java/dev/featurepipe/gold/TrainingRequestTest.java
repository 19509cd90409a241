package dev.featurepipe.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.InvalidInput;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TrainingRequestTest {

  @Test
  void everyProblemOfARequestIsReportedOnItsOwnLine() {
    assertThatThrownBy(() -> new TrainingRequest("bad id!", "mv 1",
        new LabelSource("https://x/labels.csv", null, null, null, "int"),
        List.of("user_activity_v1", "User", "user_activity_v1"),
        new TreeMap<>(Map.of("product_stats_v1", "pid")), new TreeMap<>(Map.of("user_activity_v1", 7L)), 0, 0))
        .isInstanceOf(InvalidInput.class)
        .hasMessage("""
            invalid training set request:
            runId: must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got bad id!
            modelVersion: must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}, got mv 1
            labels.uri: must be s3://<bucket>/<key>, got https://x/labels.csv
            labels.labelType: must be one of [boolean, double, long, string], got int
            groups[1]: must be <group>_v<N> like user_activity_v1, got User
            groups[2]: user_activity_v1 is listed twice
            keyColumns.product_stats_v1: names no group of groups [user_activity_v1, User, user_activity_v1]
            rowsPerPart: must be at least 1, got 0
            partConcurrency: must be in [1, 1000], got 0""");
  }

  @Test
  void labelsFormatComesFromTheKeyAndDefaultsFillTheRest() {
    TrainingRequest r = new TrainingRequest(null, "mv1",
        new LabelSource("s3://lake/labels/a.parquet", null, null, null, null), List.of("user_activity_v1"), null, null,
        null, null);

    assertThat(r.labels().format()).isEqualTo("parquet");
    assertThat(r.labels().timeColumn()).isEqualTo("label_time");
    assertThat(r.labels().labelColumn()).isEqualTo("label");
    assertThat(r.labels().labelType()).isNull();
    assertThat(r.rowsPerPart()).isEqualTo(1_000_000);
    assertThat(new LabelSource("s3://lake/l.CSV", null, null, null, null).labelType()).isEqualTo("string");
    assertThatThrownBy(() -> new TrainingRequest(null, "mv1", new LabelSource("s3://lake/l.json", null, null, null,
        null), List.of("g_v1"), null, null, null, null))
        .hasMessageContaining("labels.format: must be csv or parquet (or a key ending in .csv or .parquet), got"
            + " s3://lake/l.json");
  }

  @Test
  void aLabelSeesTheLatestUtcDayCompleteAtItsTime() {
    assertThat(PointInTime.featureDate(Instant.parse("2026-03-05T00:00:00Z"))).isEqualTo(LocalDate.of(2026, 3, 4));
    assertThat(PointInTime.featureDate(Instant.parse("2026-03-05T13:00:00Z"))).isEqualTo(LocalDate.of(2026, 3, 4));
    assertThat(PointInTime.featureDate(Instant.parse("2026-03-04T23:59:59.999999999Z")))
        .isEqualTo(LocalDate.of(2026, 3, 3));
    assertThat(PointInTime.featureDate(Instant.parse("2026-03-05T00:30:00+01:00")))
        .isEqualTo(LocalDate.of(2026, 3, 3));
  }

  @Test
  void goldKeysAreContentAddressedUnderModelVersionAndRunId() {
    String sha = "0123456789abcdef".repeat(4);
    assertThat(GoldLayout.partFile("mv1", "ts-1", 3, sha))
        .isEqualTo("gold/model_version=mv1/run_id=ts-1/part-00003-01234567.parquet");
    assertThat(GoldLayout.manifest("mv1", "ts-1")).isEqualTo("gold/model_version=mv1/run_id=ts-1/_manifest.json");
    assertThatThrownBy(() -> GoldLayout.prefix("../x", "ts-1")).isInstanceOf(InvalidInput.class)
        .hasMessage("modelVersion: must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}, got ../x");
  }
}
