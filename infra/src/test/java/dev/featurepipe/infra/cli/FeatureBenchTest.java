package dev.featurepipe.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code bench features} at a small size: the engine's features for both groups equal DuckDB's
 * (the bench throws otherwise), on every entity DuckDB finds. No timings are asserted.
 */
class FeatureBenchTest {

  @Test
  void bothGroupsMatchDuckDbOnEveryEntityAndTheTablePrintsEveryStage(@TempDir Path dir) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    FeatureBench.Result r = FeatureBench.run(FeatureBench.options(Args.parse("bench features",
        new String[] {"--events", "20000", "--repeat", "1"}, 0, Set.of("events", "repeat"), Set.of())), dir,
        new PrintStream(text, true, StandardCharsets.UTF_8));

    // 20,000 events, about 1 in 200 of them replays that the dedupe drops on both sides.
    assertThat(r.rows()).isEqualTo(20_000L);
    assertThat(r.groups()).extracting(FeatureBench.GroupResult::group).containsExactly("product_stats", "user_activity");
    assertThat(r.groups()).allSatisfy(g -> {
      assertThat(g.checkedEntities()).isEqualTo(g.entities()).isPositive();
      // Ours and DuckDB's tiles group the same deduplicated rows by (entity, day).
      assertThat(g.tiles()).isEqualTo(g.duckTileRows());
    });
    assertThat(r.groups().get(1).entities()).isGreaterThan(r.groups().get(0).entities());
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("| product_stats | end to end |",
        "| user_activity | window merge |", "check user_activity");
  }

  @Test
  void aSecondRunOfTheSameSizeReusesTheGeneratedBronze(@TempDir Path dir) throws Exception {
    FeatureBenchData.Dataset first = FeatureBenchData.prepare(dir, 5_000, LocalDate.parse(Main.DEMO_DATE));
    long modified = Files.getLastModifiedTime(first.days().get(0).get(0)).toMillis();
    FeatureBenchData.Dataset second = FeatureBenchData.prepare(dir, 5_000, LocalDate.parse(Main.DEMO_DATE));

    assertThat(second).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(second.days().get(0).get(0)).toMillis()).isEqualTo(modified);
    assertThat(first.days()).hasSize(FeatureBenchData.DAYS).allSatisfy(files -> assertThat(files).isNotEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      bench features --events 5      | bench features: --events must be at least 1000, got 5
      bench features --repeat 11     | bench features: --repeat must be between 1 and 10, got 11
      bench features --rows 5        | bench features: unknown option --rows; bench features takes --events, --repeat
      """)
  void mistakesAreUsageErrorsRaisedBeforeAnythingStarts(String commandLine, String message) {
    assertThatThrownBy(() -> Bench.main(commandLine.strip().split(" +"), System.out))
        .isInstanceOf(Args.UsageError.class)
        .hasMessage(message.strip());
  }
}
