package dev.featurepipe.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.config.FanoutConfig;
import dev.featurepipe.errors.InvalidInput;
import org.junit.jupiter.api.Test;

class FanoutTest {

  private static final Fanout AUTO = Fanout.of(new FanoutConfig(1, 16, null, 1_000, 8, 8));

  @Test
  void withoutAFixedCountEachGroupGetsOneShardPerRowsPerShardCappedAtItsBuckets() {
    assertThat(AUTO.shardsFor(0, 16)).isEqualTo(1);
    assertThat(AUTO.shardsFor(1_000, 16)).isEqualTo(1);
    assertThat(AUTO.shardsFor(1_001, 16)).isEqualTo(2);
    assertThat(AUTO.shardsFor(9_999, 16)).isEqualTo(10);
    assertThat(AUTO.shardsFor(1_000_000, 16)).as("a shard owns whole buckets").isEqualTo(16);
    assertThat(AUTO.shardsFor(Long.MAX_VALUE / 2, 4096)).isEqualTo(4096);
  }

  @Test
  void aFixedCountFromConfigOrTheRunWins() {
    Fanout fixed = AUTO.overriddenBy(new Fanout(null, null, 3, null, null, null));
    assertThat(fixed.shardsFor(10_000_000, 16)).isEqualTo(3);
    assertThat(fixed.shardsFor(0, 16)).isEqualTo(3);
    assertThat(Fanout.of(new FanoutConfig(1, 16, 5, null, 8, 8)).shardsFor(1, 16)).isEqualTo(5);
    assertThat(Fanout.of(new FanoutConfig(1, 16, null, null, 8, 8)).rowsPerShard())
        .isEqualTo(FanoutConfig.DEFAULT_ROWS_PER_SHARD);
  }

  @Test
  void outOfRangeOverridesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> AUTO.overriddenBy(new Fanout(null, null, 0, null, null, null)))
        .isInstanceOf(InvalidInput.class).hasMessageContaining("fanout.shards: must be between 1 and 4096, got 0");
    assertThatThrownBy(() -> AUTO.overriddenBy(new Fanout(null, null, null, 0, null, null)))
        .isInstanceOf(InvalidInput.class).hasMessageContaining("fanout.rowsPerShard");
  }
}
