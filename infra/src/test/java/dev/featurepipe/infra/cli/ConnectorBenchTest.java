package dev.featurepipe.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code bench connectors} at a small size: every connector reads its real source (embedded S3,
 * PostgreSQL, an HTTP server) into Bronze and the bench's own checks pass. No timings are asserted.
 */
class ConnectorBenchTest {

  @Test
  void everyConnectorExtractsEveryGeneratedRowIntoBronzeAndNothingIsQuarantined(@TempDir Path dir) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    List<ConnectorBench.Result> results = ConnectorBench.run(new ConnectorBench.Options(2_000, List.of(), 1), dir,
        new PrintStream(text, true, StandardCharsets.UTF_8));

    assertThat(results).extracting(ConnectorBench.Result::id).containsExactly("s3_jsonl:jsonl.gz", "jdbc:postgresql",
        "rest:json-pages", "s3_files:csv", "s3_files:jsonl.gz", "s3_files:parquet", "cdc:dms_csv", "cdc:debezium.gz");
    assertThat(results).allSatisfy(r -> {
      // REST pages through a fifth of the rows; every other source holds all of them.
      assertThat(r.rows()).isEqualTo(r.kind().equals("rest") ? 400 : 2_000);
      assertThat(r.items()).isEqualTo(2);
      assertThat(r.bronzeRows()).isEqualTo(r.rows());
      assertThat(r.readBackRows()).isEqualTo(r.rows());
      assertThat(r.quarantined()).isZero();
      assertThat(r.sourceBytes()).isPositive();
    });
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("| s3_jsonl | jsonl.gz | 2,000 |", "| rest | json-pages | 400 |", "| cdc | debezium.gz | 2,000 |");
  }

  @Test
  void onlyRunsTheNamedKindsAndCases(@TempDir Path dir) {
    List<ConnectorBench.Result> results = ConnectorBench.run(
        ConnectorBench.options(Args.parse("bench connectors", new String[] {"--rows", "200", "--repeat", "1", "--only",
            "cdc:dms_csv,rest"}, 0, java.util.Set.of("rows", "only", "repeat"), java.util.Set.of())),
        dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    assertThat(results).extracting(ConnectorBench.Result::id).containsExactly("rest:json-pages", "cdc:dms_csv");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      bench connectors --rows 5        | bench connectors: --rows must be at least 100, got 5
      bench connectors --repeat 0      | bench connectors: --repeat must be between 1 and 10, got 0
      bench connectors --events 5      | bench connectors: unknown option --events; bench connectors takes --only, --repeat, --rows
      bench nonsense                   | bench: unknown benchmark nonsense; bench takes connectors, features, online, quality, schemas, training, or options only
      bench schemas --objects 0        | bench schemas: --objects 1 to 100000 and --repeat 1 to 10, got 0 and 3
      bench quality --stage load       | bench quality: --stage must be extract or transform, got load
      bench quality --stage transform --rows 5 | bench quality --stage transform: --rows at least 1000 and --repeat 1 to 10, got 5 and 3
      bench connectors --only kafka    | bench connectors: --only takes a comma-separated list of s3_jsonl, jdbc, rest, s3_files, cdc, s3_jsonl:jsonl.gz, jdbc:postgresql, rest:json-pages, s3_files:csv, s3_files:jsonl.gz, s3_files:parquet, cdc:dms_csv, cdc:debezium.gz, got kafka
      """)
  void mistakesAreUsageErrorsRaisedBeforeAnythingStarts(String commandLine, String message) {
    // Main turns a UsageError into exit code 2 and this one line (MainTest).
    assertThatThrownBy(() -> Bench.main(commandLine.strip().split(" +"), System.out))
        .isInstanceOf(Args.UsageError.class)
        .hasMessage(message.strip());
  }
}
