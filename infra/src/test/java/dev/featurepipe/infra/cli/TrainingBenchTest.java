package dev.featurepipe.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench training} at a small size: the training state machine and DuckDB's ASOF JOIN find a
 * feature row for the same number of labels (the bench throws otherwise). No timings are asserted.
 */
class TrainingBenchTest {

  @Test
  void oursAndDuckDbFindTheSameFeatureRowsAndTheTablePrintsEveryStage(@TempDir Path dir) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    TrainingBench.Result r = TrainingBench.run(Args.parse("bench training", new String[] {"--labels", "3000",
        "--entities", "300", "--days", "5", "--rows-per-part", "1000"}, 0,
        Set.of("labels", "entities", "days", "rows-per-part"), Set.of()), dir.resolve("bench"),
        new PrintStream(text, true, StandardCharsets.UTF_8));

    assertThat(r.labels()).isEqualTo(3_000);
    assertThat(r.files()).isEqualTo(3);
    // About 85% presence over days the labels mostly ask for, 3% unknown users: most, not all, match.
    assertThat(r.matched()).isEqualTo(r.duckMatched()).isBetween(1_000L, 2_900L);
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("PlanTrainingSet", "BuildAllTrainingParts",
        "CommitTrainingSet", "DuckDB, 1 thread", "ratio to DuckDB");
  }
}
