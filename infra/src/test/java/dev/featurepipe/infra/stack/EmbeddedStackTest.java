package dev.featurepipe.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.aws.AwsSettings;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Starting, restarting and stopping the stack, and what it refuses to do. */
class EmbeddedStackTest {

  @Test
  void environmentReadsBackIntoTheStacksOwnSettings(@TempDir Path stateDir) {
    try (EmbeddedStack stack = EmbeddedStack.start(StackOptions.forTests(stateDir))) {
      Map<String, String> env = stack.environment();

      assertThat(AwsSettings.fromEnvironment(env)).isEqualTo(stack.awsSettings());
      assertThat(env)
          .containsEntry("FEATUREPIPE_LAKE_BUCKET", "featurepipe-lake")
          .containsEntry("FEATUREPIPE_SOURCE_BUCKET", "featurepipe-source")
          .containsEntry("FEATUREPIPE_FEATURE_TABLE", "featurepipe-features")
          .containsEntry("FEATUREPIPE_CONTROL_TABLE", "featurepipe-control")
          .containsEntry("FEATUREPIPE_S3_ENDPOINT", stack.s3Endpoint().toString())
          .containsEntry("FEATUREPIPE_DYNAMODB_ENDPOINT", stack.dynamoDbEndpoint().toString())
          .containsEntry("FEATUREPIPE_CATALOG_URI", "jdbc:sqlite:" + stateDir.resolve("catalog.db"))
          .containsEntry("FEATUREPIPE_WAREHOUSE", "s3://featurepipe-lake/silver")
          .containsEntry("AWS_DEFAULT_REGION", "us-east-1");
      assertThat(List.of(stack.s3Endpoint(), stack.dynamoDbEndpoint()))
          .extracting(URI::getHost)
          .containsOnly("127.0.0.1");
      assertThat(stack.s3Endpoint().getPort()).isNotEqualTo(stack.dynamoDbEndpoint().getPort());
    }
  }

  @Test
  void bannerShowsTheEndpointsAndCopyPasteCliCommands(@TempDir Path stateDir) {
    try (EmbeddedStack stack = EmbeddedStack.start(StackOptions.forTests(stateDir))) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      StackMain.printBanner(stack, new PrintStream(bytes, true, StandardCharsets.UTF_8));
      String banner = bytes.toString(StandardCharsets.UTF_8);

      assertThat(banner)
          .contains(
              "aws --endpoint-url " + stack.s3Endpoint() + " s3 ls s3://featurepipe-lake/ --recursive",
              "aws dynamodb scan --endpoint-url " + stack.dynamoDbEndpoint()
                  + " --table-name featurepipe-features",
              "export AWS_ACCESS_KEY_ID=featurepipe AWS_SECRET_ACCESS_KEY=featurepipe-local"
                  + " AWS_DEFAULT_REGION=us-east-1",
              "export FEATUREPIPE_S3_ENDPOINT=" + stack.s3Endpoint(),
              "Press Ctrl-C to stop.");
    }
  }

  @Test
  void restartOnTheSameStateDirKeepsObjectsItemsAndTables(@TempDir Path stateDir) {
    StackOptions options = StackOptions.forTests(stateDir);
    TableIdentifier tableId = TableIdentifier.of("featurepipe", "kept_v1");
    Map<String, AttributeValue> key =
        Map.of("pk", AttributeValue.fromS("meta:kept_v1"), "sk", AttributeValue.fromS("meta"));
    try (EmbeddedStack stack = EmbeddedStack.start(options);
        AwsClients clients = new AwsClients(stack.awsSettings())) {
      clients
          .s3()
          .putObject(
              b -> b.bucket("featurepipe-source").key("orders/dt=2026-01-01/orders.jsonl"),
              RequestBody.fromString("{\"order_id\":1}\n"));
      clients
          .dynamoDb()
          .putItem(
              b ->
                  b.tableName("featurepipe-features")
                      .item(Map.of("pk", key.get("pk"), "sk", key.get("sk"), "rows", AttributeValue.fromN("42"))));
      clients
          .catalog()
          .createTable(
              tableId, new Schema(Types.NestedField.required(1, "id", Types.LongType.get())));
    }

    try (EmbeddedStack stack = EmbeddedStack.start(options);
        AwsClients clients = new AwsClients(stack.awsSettings())) {
      assertThat(
              clients
                  .s3()
                  .getObjectAsBytes(
                      b -> b.bucket("featurepipe-source").key("orders/dt=2026-01-01/orders.jsonl"))
                  .asUtf8String())
          .isEqualTo("{\"order_id\":1}\n");
      assertThat(
              clients
                  .dynamoDb()
                  .getItem(b -> b.tableName("featurepipe-features").key(key).consistentRead(true))
                  .item())
          .containsEntry("rows", AttributeValue.fromN("42"));
      assertThat(clients.catalog().loadTable(tableId).schema().findField("id")).isNotNull();
    }
  }

  @Test
  void closeLeavesNoDynaliteProcess(@TempDir Path stateDir) {
    ProcessHandle dynalite;
    try (EmbeddedStack stack = EmbeddedStack.start(StackOptions.forTests(stateDir))) {
      dynalite = stack.dynamoDbProcess();
      assertThat(dynalite.isAlive()).isTrue();
    }

    assertThat(dynalite.isAlive()).isFalse();
    assertThat(
            ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(stateDir.toString())))
        .isEmpty();
  }

  @Test
  void dynaliteExitsWhenTheJvmIsKilledWithoutShutdownHooks(@TempDir Path stateDir)
      throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    // Surefire runs tests from a manifest-only jar and passes the real class path here.
    String classPath =
        Optional.ofNullable(System.getProperty("surefire.test.class.path"))
            .orElse(System.getProperty("java.class.path"));
    Process jvm =
        new ProcessBuilder(
                java,
                "-cp",
                classPath,
                "-D" + RepoRoot.ROOT_PROPERTY + "=" + RepoRoot.locate(),
                StackMain.class.getName(),
                "--s3-port",
                "0",
                "--dynamodb-port",
                "0",
                "--state-dir",
                stateDir.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.startsWith("FeaturePipe local stack is up"));
      assertThat(line).as("stack banner").isNotNull();
      ProcessHandle node =
          jvm.toHandle()
              .children()
              .filter(p -> p.info().commandLine().orElse("").contains("dynalite"))
              .findFirst()
              .orElseThrow();

      jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs.
      jvm.waitFor(30, TimeUnit.SECONDS);

      assertThat(node.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
    } finally {
      jvm.destroyForcibly();
    }
  }

  @Test
  void secondStackOnTheSameStateDirFailsAndLeavesTheFirstRunning(@TempDir Path stateDir) {
    StackOptions options = StackOptions.forTests(stateDir);
    try (EmbeddedStack first = EmbeddedStack.start(options)) {
      assertThatThrownBy(() -> EmbeddedStack.start(options))
          .isInstanceOf(StackStartFailed.class)
          .hasMessage(
              "Another FeaturePipe stack (pid " + ProcessHandle.current().pid() + ") is using "
                  + stateDir + ": stop it (Ctrl-C where it runs) or use another state directory");

      try (AwsClients clients = new AwsClients(first.awsSettings())) {
        assertThat(clients.dynamoDb().listTables().tableNames())
            .containsExactly("featurepipe-control", "featurepipe-features");
      }
    }
  }

  @Test
  void takenFixedPortFailsWithAClearMessageAndReleasesTheStateDir(@TempDir Path stateDir)
      throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      StackOptions options = StackOptions.forTests(stateDir).withPorts(port, 0);

      assertThatThrownBy(() -> EmbeddedStack.start(options))
          .isInstanceOf(StackStartFailed.class)
          .hasMessage(
              "Port " + port + " on 127.0.0.1 (S3) is in use: stop whatever listens there"
                  + " (another ./featurepipe stack?) or choose other ports");
    }
    try (EmbeddedStack stack = EmbeddedStack.start(StackOptions.forTests(stateDir))) {
      assertThat(stack.dynamoDbProcess().isAlive()).isTrue();
    }
  }

  @Test
  void missingDynaliteInstallSaysHowToInstallIt(@TempDir Path fakeRoot) throws IOException {
    Files.createDirectories(fakeRoot.resolve("infra/local"));
    Files.writeString(fakeRoot.resolve("infra/local/package.json"), "{}");
    String previous = System.getProperty(RepoRoot.ROOT_PROPERTY);
    System.setProperty(RepoRoot.ROOT_PROPERTY, fakeRoot.toString());
    try {
      assertThatThrownBy(() -> EmbeddedStack.start(StackOptions.forTests(fakeRoot.resolve("state"))))
          .isInstanceOf(StackStartFailed.class)
          .hasMessage(
              "The DynamoDB emulator is not installed ("
                  + fakeRoot.resolve("infra/local/node_modules/dynalite/cli.js")
                  + " is missing): run `npm ci --prefix " + fakeRoot.resolve("infra/local")
                  + "` (./featurepipe installs it for you)");
    } finally {
      if (previous == null) {
        System.clearProperty(RepoRoot.ROOT_PROPERTY);
      } else {
        System.setProperty(RepoRoot.ROOT_PROPERTY, previous);
      }
    }
  }
}
