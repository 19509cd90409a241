package dev.featurepipe.tests.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rule 1: every state machine is valid Amazon States Language, as asl-validator reads it. */
class AslSchemaContractTest {

  @TempDir Path work;

  static List<Path> stateMachines() {
    return ContractFiles.stateMachines();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stateMachines")
  void stateMachinePassesAslValidatorWithSubstitutionsApplied(Path asl) {
    AslValidator.Result result = AslValidator.installedUnder(ContractFiles.root()).validate(asl, work);

    assertThat(result.exitCode()).as("asl-validator on %s said:%n%s", asl.getFileName(), result.output()).isZero();
  }

  @Test
  void validatorRejectsADefinitionWithASchemaError() {
    AslValidator.Result result = AslValidator.installedUnder(ContractFiles.root())
        .validate(ContractFiles.fixture("asl/invalid-schema.asl.json"), work);

    assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
    assertThat(result.output()).contains("invalid-schema.asl.json").contains("is invalid");
  }

  @Test
  void substitutionLeavesNoPlaceholderAndWritesAliasArns() {
    String substituted = AslValidator.substitute("{\"FunctionName\": \"${ExtractFunctionArn}\"}");

    assertThat(substituted)
        .isEqualTo("{\"FunctionName\": \"arn:aws:lambda:us-east-1:123456789012:function:ExtractFunctionArn:live\"}");
  }

  @Test
  void missingValidatorInstallFailsWithTheInstallCommand(@TempDir Path emptyRoot) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AslValidator.installedUnder(emptyRoot))
        .isInstanceOf(AssertionError.class)
        .hasMessage("asl-validator is not installed in infra/local/node_modules: " + AslValidator.INSTALL_HINT);
  }
}
