package dev.featurepipe.tests.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rule 2: Retry and Catch match our typed errors by their real names, and no terminal error escapes. */
class AslErrorContractTest {

  static List<Path> stateMachines() {
    return ContractFiles.stateMachines();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stateMachines")
  void everyErrorNameIsATypedErrorRetriedOnlyIfRetryableAndEveryTerminalErrorIsCaught(Path asl) {
    List<String> violations =
        AslErrorContract.violations(asl.getFileName().toString(), TemplateWiring.parse(asl));

    assertThat(violations).as(String.join("\n", violations)).isEmpty();
  }

  @Test
  void errorHierarchyListsRetryableAndTerminalErrorsByFullyQualifiedName() {
    SortedMap<String, Boolean> errors = AslErrorContract.pipelineErrors();

    assertThat(errors)
        .containsEntry("dev.featurepipe.errors.SourceUnavailable", true)
        .containsEntry("dev.featurepipe.errors.CommitConflict", true)
        .containsEntry("dev.featurepipe.errors.InvalidInput", false)
        .containsEntry("dev.featurepipe.errors.QualityGateFailed", false)
        .doesNotContainKey("dev.featurepipe.errors.PipelineException");
  }

  @Test
  void checkerReportsEachKindOfViolationInABrokenDefinition() {
    String file = "broken.asl.json";
    List<String> violations = AslErrorContract.violations(
        file, TemplateWiring.parse(ContractFiles.fixture("asl/error-contract-violations.asl.json")));

    assertThat(violations).as(String.join("\n", violations)).hasSize(6);
    assertThat(violations).anySatisfy(v -> assertThat(v).isEqualTo(file
        + " Plan Retry[0]: retries terminal dev.featurepipe.errors.InvalidInput (retryable() is false,"
        + " the same input fails the same way); Catch it instead"));
    assertThat(violations).anySatisfy(v -> assertThat(v)
        .startsWith(file + " Plan Retry[1]: retries States.ALL, which retries terminal errors too (")
        .contains("InvalidInput"));
    assertThat(violations).anySatisfy(v -> assertThat(v)
        .startsWith(file + " Plan Catch[0]: names dev.featurepipe.errors.NoSuchError, which is no concrete"
            + " PipelineException; known: "));
    assertThat(violations).anySatisfy(v -> assertThat(v).isEqualTo(file
        + " Plan Catch[1]: names java.lang.IllegalStateException, which is not a class in dev.featurepipe.errors"
        + " (only States.*, Lambda.* and our typed errors can be matched)"));
    assertThat(violations).anySatisfy(v -> assertThat(v)
        .startsWith(file + " Plan: can raise terminal ")
        .contains("dev.featurepipe.errors.InvalidInput")
        .contains("dev.featurepipe.errors.QualityGateFailed"));
    // The Map's Catch names the typed errors, but they leave a Distributed Map under another name.
    assertThat(violations).anySatisfy(v -> assertThat(v)
        .startsWith(file + " Fan/Work: can raise terminal ")
        .contains("dev.featurepipe.errors.InvalidInput"));
  }
}
