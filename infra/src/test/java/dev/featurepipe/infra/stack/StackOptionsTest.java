package dev.featurepipe.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StackOptionsTest {

  @Test
  void defaultsPutStateUnderTheRepoRootOnLocalStackPorts() {
    StackOptions options = StackOptions.defaults(Path.of("/repo"));

    assertThat(options)
        .isEqualTo(
            new StackOptions(
                Path.of("/repo/.featurepipe"),
                4566,
                8000,
                "featurepipe-lake",
                "featurepipe-source",
                "featurepipe-features",
                "featurepipe-control"));
  }

  @Test
  void testOptionsPickFreePorts() {
    StackOptions options = StackOptions.forTests(Path.of("/tmp/x"));

    assertThat(options.s3Port()).isZero();
    assertThat(options.dynamoDbPort()).isZero();
  }

  @Test
  void relativeStateDirBecomesAbsolute() {
    assertThat(StackOptions.forTests(Path.of("state")).stateDir().isAbsolute()).isTrue();
  }

  @Test
  void everyInvalidOptionIsReportedOneLineEach() {
    assertThatThrownBy(
            () -> new StackOptions(Path.of("/s"), 70000, 70000, "Lake", "Lake", "t", "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            """
            s3Port: must be 0 (pick a free port) or 1 to 65535, got 70000
            dynamoDbPort: must be 0 (pick a free port) or 1 to 65535, got 70000
            dynamoDbPort: must differ from s3Port, got 70000
            lakeBucket: must be an S3 bucket name ([a-z0-9][a-z0-9.-]{1,61}[a-z0-9]), got Lake
            sourceBucket: must be an S3 bucket name ([a-z0-9][a-z0-9.-]{1,61}[a-z0-9]), got Lake
            sourceBucket: must differ from lakeBucket, got Lake
            featureTable: must be a DynamoDB table name ([A-Za-z0-9_.-]{3,255}), got t
            controlTable: must be a DynamoDB table name ([A-Za-z0-9_.-]{3,255}), got t
            controlTable: must differ from featureTable, got t""");
  }

  @Test
  void stackMainParsesPortsAndStateDir() {
    StackOptions parsed =
        StackMain.parse(
            new String[] {"--s3-port", "0", "--dynamodb-port", "9000", "--state-dir", "/data/fp"},
            StackOptions.defaults(Path.of("/repo")));

    assertThat(parsed.s3Port()).isZero();
    assertThat(parsed.dynamoDbPort()).isEqualTo(9000);
    assertThat(parsed.stateDir()).isEqualTo(Path.of("/data/fp"));
  }

  @Test
  void stackMainRejectsUnknownArguments() {
    assertThatThrownBy(
            () -> StackMain.parse(new String[] {"--verbose"}, StackOptions.defaults(Path.of("/r"))))
        .hasMessage("unknown argument --verbose");
  }
}
