package dev.featurepipe.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.InvalidInput;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class LakeLayoutTest {

  private static final LocalDate DT = LocalDate.of(2026, 11, 24);
  private static final String SHA = "ab".repeat(32);

  @Test
  void keysFollowTheDesignLayout() {
    assertThat(LakeLayout.bronzeFile("clickstream", DT, "events-00001", SHA))
        .isEqualTo("bronze/source_id=clickstream/dt=2026-11-24/part-events-00001-abababab.parquet");
    assertThat(LakeLayout.bronzeManifest("clickstream", DT))
        .isEqualTo("bronze/source_id=clickstream/dt=2026-11-24/_manifest.json");
    assertThat(LakeLayout.silverFile("product_stats", 1, DT, "product_id", 3, SHA))
        .isEqualTo("silver/product_stats/v_1/data/dt=2026-11-24/product_id_bucket=3/part-00003-abababab.parquet");
    assertThat(LakeLayout.transformResult("daily-2026-11-24", "product_stats_v1", 2, 4))
        .isEqualTo("runs/run_id=daily-2026-11-24/transform/product_stats_v1/shard-00002-of-00004.json");
  }

  @Test
  void idsThatCouldEscapeTheirPrefixAreRefused() {
    assertThatThrownBy(() -> LakeLayout.runPrefix("../etc"))
        .isInstanceOf(InvalidInput.class)
        .hasMessage("runId: must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got ../etc");
    assertThatThrownBy(() -> LakeLayout.bronzePrefix("Click/stream", DT))
        .isInstanceOf(InvalidInput.class)
        .hasMessage("sourceId: must match [a-z][a-z0-9_]{0,62}, got Click/stream");
  }

  @Test
  void datesAreParsedStrictly() {
    assertThat(LakeLayout.parseDate("date", "2026-02-28")).isEqualTo(LocalDate.of(2026, 2, 28));
    assertThatThrownBy(() -> LakeLayout.parseDate("date", "2026-02-30"))
        .hasMessage("date: must be a date like 2026-11-24, got 2026-02-30");
    assertThatThrownBy(() -> LakeLayout.parseDate("date", "2026-2-3"))
        .hasMessage("date: must be a date like 2026-11-24, got 2026-2-3");
  }

  @Test
  void shardMustBeInRange() {
    assertThatThrownBy(() -> LakeLayout.loadResult("r", "g", 4, 4))
        .hasMessage("shard must be in [0, shardCount), got shard 4 of 4");
  }
}
