package dev.featurepipe.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Command-line mistakes exit 2 with one line that says what to type; nothing is started. */
class MainTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      run --date 2026-13-01      | featurepipe: run: --date must be a date like 2026-11-24, got 2026-13-01
      run --date 2026-2-3        | featurepipe: run: --date must be a date like 2026-11-24, got 2026-2-3
      run                        | featurepipe: run: --date YYYY-MM-DD is required
      demo --events lots         | featurepipe: demo: --events must be a whole number, got lots
      demo --colour red          | featurepipe: demo: unknown option --colour; demo takes --date, --events
      get                        | featurepipe: get: expected one partition key, e.g. get p:feat:prod-00001
      frobnicate                 | featurepipe: unknown command frobnicate; ./featurepipe help lists them
      """)
  void mistakesExitTwoWithAnActionableMessage(String commandLine, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(commandLine.strip().split(" +"), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo(message.strip());
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
