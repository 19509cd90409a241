package dev.featurepipe.infra.stack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the embedded stack keeps its state, which loopback ports it listens on, and the names of
 * the buckets and tables it creates.
 *
 * @param stateDir everything the stack persists: {@code s3/} (the buckets), {@code dynamodb/}
 *     (dynalite's LevelDB), {@code catalog.db} (the Iceberg JDBC catalog), {@code dynalite.log}
 * @param s3Port the S3 endpoint's port; 0 picks a free one (tests)
 * @param dynamoDbPort the DynamoDB endpoint's port; 0 picks a free one (tests)
 */
public record StackOptions(
    Path stateDir,
    int s3Port,
    int dynamoDbPort,
    String lakeBucket,
    String sourceBucket,
    String featureTable,
    String controlTable) {

  /**
   * LocalStack's edge port, so AWS CLI profiles and tool settings written for LocalStack point at
   * the embedded S3 unchanged.
   */
  public static final int DEFAULT_S3_PORT = 4566;

  /** DynamoDB Local's port, for the same reason. */
  public static final int DEFAULT_DYNAMODB_PORT = 8000;

  public static final String DEFAULT_LAKE_BUCKET = "featurepipe-lake";
  public static final String DEFAULT_SOURCE_BUCKET = "featurepipe-source";
  public static final String DEFAULT_FEATURE_TABLE = "featurepipe-features";
  public static final String DEFAULT_CONTROL_TABLE = "featurepipe-control";

  /** The state directory under the repository root; .gitignore lists it. */
  public static final String DEFAULT_STATE_DIR_NAME = ".featurepipe";

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_.-]{3,255}");

  public StackOptions {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(lakeBucket, "lakeBucket");
    Objects.requireNonNull(sourceBucket, "sourceBucket");
    Objects.requireNonNull(featureTable, "featureTable");
    Objects.requireNonNull(controlTable, "controlTable");
    // Absolute, so the paths handed to the dynalite child process and the SQLite URL do not depend
    // on either process's working directory.
    stateDir = stateDir.toAbsolutePath().normalize();
    List<String> problems = new ArrayList<>();
    checkPort("s3Port", s3Port, problems);
    checkPort("dynamoDbPort", dynamoDbPort, problems);
    if (s3Port != 0 && s3Port == dynamoDbPort) {
      problems.add("dynamoDbPort: must differ from s3Port, got " + dynamoDbPort);
    }
    checkName("lakeBucket", lakeBucket, BUCKET, "an S3 bucket name", problems);
    checkName("sourceBucket", sourceBucket, BUCKET, "an S3 bucket name", problems);
    if (lakeBucket.equals(sourceBucket)) {
      problems.add("sourceBucket: must differ from lakeBucket, got " + sourceBucket);
    }
    checkName("featureTable", featureTable, TABLE, "a DynamoDB table name", problems);
    checkName("controlTable", controlTable, TABLE, "a DynamoDB table name", problems);
    if (featureTable.equals(controlTable)) {
      problems.add("controlTable: must differ from featureTable, got " + controlTable);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
  }

  /** The CLI's stack: state in {@code <repoRoot>/.featurepipe}, ports 4566 and 8000. */
  public static StackOptions defaults(Path repoRoot) {
    return new StackOptions(
        repoRoot.resolve(DEFAULT_STATE_DIR_NAME),
        DEFAULT_S3_PORT,
        DEFAULT_DYNAMODB_PORT,
        DEFAULT_LAKE_BUCKET,
        DEFAULT_SOURCE_BUCKET,
        DEFAULT_FEATURE_TABLE,
        DEFAULT_CONTROL_TABLE);
  }

  /** A test's stack: state in {@code tempDir}, free ports, so tests can run beside a CLI stack. */
  public static StackOptions forTests(Path tempDir) {
    return new StackOptions(
        tempDir,
        0,
        0,
        DEFAULT_LAKE_BUCKET,
        DEFAULT_SOURCE_BUCKET,
        DEFAULT_FEATURE_TABLE,
        DEFAULT_CONTROL_TABLE);
  }

  public StackOptions withPorts(int s3Port, int dynamoDbPort) {
    return new StackOptions(
        stateDir, s3Port, dynamoDbPort, lakeBucket, sourceBucket, featureTable, controlTable);
  }

  public StackOptions withStateDir(Path stateDir) {
    return new StackOptions(
        stateDir, s3Port, dynamoDbPort, lakeBucket, sourceBucket, featureTable, controlTable);
  }

  private static void checkPort(String name, int port, List<String> problems) {
    if (port < 0 || port > 65_535) {
      problems.add(name + ": must be 0 (pick a free port) or 1 to 65535, got " + port);
    }
  }

  private static void checkName(
      String name, String value, Pattern rule, String what, List<String> problems) {
    if (!rule.matcher(value).matches()) {
      problems.add(name + ": must be " + what + " (" + rule.pattern() + "), got " + value);
    }
  }
}
