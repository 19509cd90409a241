package dev.featurepipe.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a failed run prints: the error's message as written, not the runtime's JSON around it. */
class FailureMessageTest {

  @Test
  void aLambdaErrorShowsItsMessageWithoutTheJsonAndStackTrace() {
    String cause = "{\"errorMessage\":\"line one\\nline two\",\"errorType\":\"dev.featurepipe.errors.ConfigInvalid\","
        + "\"stackTrace\":[\"a.B.c(B.java:1)\"]}";
    assertThat(Main.errorMessage(cause)).isEqualTo("line one\nline two");
  }

  @Test
  void aCauseThatIsNotLambdaJsonIsShownAsItIs() {
    assertThat(Main.errorMessage("States.Timeout: no JSON here")).isEqualTo("States.Timeout: no JSON here");
    assertThat(Main.errorMessage("{\"Error\": \"x\"}")).isEqualTo("{\"Error\": \"x\"}");
    assertThat(Main.errorMessage("")).isEmpty();
  }
}
