package dev.featurepipe.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.errors.PipelineException;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.ops.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@link AwsSecrets} and {@link SecretRouter} with the real SDK clients (built by {@link
 * AwsClients}) pointed by {@code endpointOverride} at a <em>protocol stand-in</em>, not the
 * service: a JDK {@link HttpServer} that speaks the AWS JSON 1.1 protocol for {@code
 * secretsmanager.GetSecretValue} and {@code AmazonSSM.GetParameter}, answering from values and
 * errors each test puts in it. It checks no signature and knows no IAM or KMS; it shows what we ask
 * the services, how answers are read and cached, and how their errors become ours.
 */
class AwsSecretsTest {

  static final Duration TTL = Duration.ofMinutes(5);
  static final String DB = "featurepipe/dev/orders-db";
  static final String NEVER_SHOWN = "pw-NeverShow-8d2f";

  /** The protocol stand-in. Values and errors are keyed by secret id or parameter name. */
  static final class StandIn implements AutoCloseable {
    final HttpServer server;
    final Map<String, String> secrets = new TreeMap<>();
    final Map<String, String> binarySecrets = new TreeMap<>();
    final Map<String, String> parameters = new TreeMap<>();
    /** name → {HTTP status, error code}. */
    final Map<String, Object[]> errors = new TreeMap<>();
    /** name → a raw 200 body to send instead of a well-formed answer. */
    final Map<String, String> rawBodies = new TreeMap<>();
    /** Every request: "<operation> <request JSON>". */
    final List<String> calls = new ArrayList<>();

    StandIn() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", this::handle);
      server.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    synchronized List<String> calls() {
      return List.copyOf(calls);
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      JsonNode request = Json.mapper().readTree(exchange.getRequestBody().readAllBytes());
      calls.add(target + " " + request);
      ObjectNode body = Json.mapper().createObjectNode();
      String name;
      if ("secretsmanager.GetSecretValue".equals(target)) {
        name = request.path("SecretId").asText();
        body.put("ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + name + "-AbCdEf")
            .put("Name", name).put("VersionId", "v1").put("CreatedDate", 1.7646e9);
        body.putArray("VersionStages").add("AWSCURRENT");
        if (secrets.containsKey(name)) {
          body.put("SecretString", secrets.get(name));
        } else if (binarySecrets.containsKey(name)) {
          body.put("SecretBinary", Base64.getEncoder().encodeToString(
              binarySecrets.get(name).getBytes(StandardCharsets.UTF_8)));
        } else if (!errors.containsKey(name) && !rawBodies.containsKey(name)) {
          errors.put(name, new Object[] {400, "ResourceNotFoundException"});
        }
      } else if ("AmazonSSM.GetParameter".equals(target)) {
        name = request.path("Name").asText();
        if (parameters.containsKey(name)) {
          body.putObject("Parameter").put("Name", name).put("Type", "SecureString").put("Value", parameters.get(name))
              .put("Version", 1).put("DataType", "text");
        } else if (!errors.containsKey(name) && !rawBodies.containsKey(name)) {
          errors.put(name, new Object[] {400, "ParameterNotFound"});
        }
      } else {
        name = "";
        errors.put(name, new Object[] {400, "UnknownOperationException"});
      }
      byte[] bytes;
      int status = 200;
      exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
      if (errors.containsKey(name)) {
        status = (Integer) errors.get(name)[0];
        String code = (String) errors.get(name)[1];
        exchange.getResponseHeaders().add("x-amzn-ErrorType", code);
        bytes = Json.bytes(Map.of("__type", code, "message", "stand-in says " + code));
      } else if (rawBodies.containsKey(name)) {
        bytes = rawBodies.get(name).getBytes(StandardCharsets.UTF_8);
      } else {
        bytes = Json.bytes(body);
      }
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** A clock the test moves by hand. */
  static final class HandClock extends Clock {
    Instant now = Instant.parse("2026-11-25T02:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  StandIn standIn;
  HandClock clock;
  AwsSecrets aws;

  @BeforeEach
  void start() throws IOException {
    standIn = new StandIn();
    clock = new HandClock();
    aws = secretsAt(standIn.uri());
  }

  @AfterEach
  void stop() {
    aws.close();
    standIn.close();
  }

  AwsSecrets secretsAt(URI endpoint) {
    Optional<AwsCredentialsProvider> credentials = Optional.of(
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSTANDIN", "stand-in-key")));
    return new AwsSecrets(() -> AwsClients.secretsManager("eu-west-1", Optional.of(endpoint), credentials),
        () -> AwsClients.ssm("eu-west-1", Optional.of(endpoint), credentials), clock, TTL);
  }

  @Test
  void aSecretsManagerStringIsReturnedWholeOrByJsonFieldFromOneCall() {
    String login = "{\"username\": \"reader\", \"password\": \"" + NEVER_SHOWN + "\", \"port\": 5432}";
    standIn.secrets.put(DB, login);

    assertThat(aws.resolve("secretsmanager:" + DB)).isEqualTo(login);
    assertThat(aws.resolve("secretsmanager:" + DB + "#username")).isEqualTo("reader");
    assertThat(aws.resolve("secretsmanager:" + DB + "#password")).isEqualTo(NEVER_SHOWN);
    assertThat(aws.resolve("secretsmanager:" + DB + "#port")).isEqualTo("5432");
    assertThat(standIn.calls()).containsExactly("secretsmanager.GetSecretValue {\"SecretId\":\"" + DB + "\"}");
  }

  @Test
  void aSecretArnIsPassedAsTheSecretIdUpToTheField() {
    String arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + DB + "-AbCdEf";
    standIn.secrets.put(arn, "{\"username\": \"reader\"}");

    assertThat(aws.resolve("secretsmanager:" + arn + "#username")).isEqualTo("reader");
    assertThat(standIn.calls()).containsExactly("secretsmanager.GetSecretValue {\"SecretId\":\"" + arn + "\"}");
  }

  @Test
  void anSsmParameterIsReadWithDecryption() {
    standIn.parameters.put("/featurepipe/dev/api-token", "tok-" + NEVER_SHOWN);

    assertThat(aws.resolve("ssm:/featurepipe/dev/api-token")).isEqualTo("tok-" + NEVER_SHOWN);
    assertThat(standIn.calls()).singleElement().satisfies(call -> {
      assertThat(call).startsWith("AmazonSSM.GetParameter ");
      JsonNode request = Json.read(call.substring(call.indexOf(' ') + 1).getBytes(StandardCharsets.UTF_8),
          JsonNode.class);
      assertThat(request.path("Name").asText()).isEqualTo("/featurepipe/dev/api-token");
      assertThat(request.path("WithDecryption").asBoolean(false)).isTrue();
    });
  }

  @Test
  void theRouterSendsEnvAndFileReferencesToTheProcessAndTheOthersToAws(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("login.json");
    Files.writeString(file, "{\"password\": \"from-file\"}");
    standIn.secrets.put(DB, "from-secrets-manager");
    standIn.parameters.put("/featurepipe/dev/token", "from-ssm");
    SecretRouter router = new SecretRouter(new LocalSecrets(Map.of("DB_LOGIN", "from-env")), aws);

    assertThat(router.resolve("env:DB_LOGIN")).isEqualTo("from-env");
    assertThat(router.resolve("file:" + file + "#password")).isEqualTo("from-file");
    assertThat(standIn.calls()).isEmpty();
    assertThat(router.resolve("secretsmanager:" + DB)).isEqualTo("from-secrets-manager");
    assertThat(router.resolve("ssm:/featurepipe/dev/token")).isEqualTo("from-ssm");
    assertThat(standIn.calls()).hasSize(2);
    assertThatThrownBy(() -> router.resolve("hunter2"))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("secret reference must start with one of secretsmanager:, ssm:, env:, file:, got a string "
            + "starting with none of them (not shown: it may be a secret value)");
  }

  @Test
  void theProcessRouterIsOneInstanceThatReadsTheProcessEnvironment() {
    String path = System.getenv("PATH");

    assertThat(SecretRouter.forProcess()).isSameAs(SecretRouter.forProcess());
    assertThat(path).isNotNull();
    assertThat(SecretRouter.forProcess().resolve("env:PATH")).isEqualTo(path);
  }

  @Test
  void aValueIsFetchedOncePerTtlSoARotationIsSeenWithinOneTtl() {
    standIn.secrets.put(DB, "{\"password\": \"before-rotation\"}");
    String ref = "secretsmanager:" + DB + "#password";

    String first = aws.resolve(ref);
    standIn.secrets.put(DB, "{\"password\": \"after-rotation\"}");
    clock.now = clock.now.plus(TTL).minusMillis(1);
    String withinTtl = aws.resolve(ref);
    int callsWithinTtl = standIn.calls().size();
    clock.now = clock.now.plusMillis(1);
    String atTtl = aws.resolve(ref);

    assertThat(first).isEqualTo("before-rotation");
    assertThat(withinTtl).isEqualTo("before-rotation");
    assertThat(callsWithinTtl).isEqualTo(1);
    assertThat(atTtl).isEqualTo("after-rotation");
    assertThat(standIn.calls()).hasSize(2);
  }

  @Test
  void forgetMakesTheNextResolveReadTheRotatedValueAtOnce() {
    standIn.parameters.put("/featurepipe/dev/db", "old");
    SecretRouter router = new SecretRouter(new LocalSecrets(Map.of()), aws);
    router.resolve("ssm:/featurepipe/dev/db");
    standIn.parameters.put("/featurepipe/dev/db", "new");

    router.forget("ssm:/featurepipe/dev/db");

    assertThat(router.resolve("ssm:/featurepipe/dev/db")).isEqualTo("new");
  }

  @Test
  void whatARetryCannotFixIsConfigInvalidNamingTheReferenceAndWhatToDo() {
    standIn.errors.put("featurepipe/dev/denied", new Object[] {400, "AccessDeniedException"});
    standIn.errors.put("featurepipe/dev/cmk", new Object[] {400, "DecryptionFailure"});

    assertThatThrownBy(() -> aws.resolve("secretsmanager:featurepipe/dev/nope#password"))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("secret secretsmanager:featurepipe/dev/nope#password: no such secret in this account and region "
            + "(ResourceNotFoundException, HTTP 400)");
    assertThatThrownBy(() -> aws.resolve("ssm:/featurepipe/dev/nope"))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("secret ssm:/featurepipe/dev/nope: no such parameter in this account and region "
            + "(ParameterNotFound, HTTP 400)");
    assertThatThrownBy(() -> aws.resolve("secretsmanager:featurepipe/dev/denied"))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("secret secretsmanager:featurepipe/dev/denied: the function's role may not read it "
            + "(AccessDeniedException, HTTP 400); grant secretsmanager:GetSecretValue on it (template.yaml "
            + "SecretNamePrefix), and kms:Decrypt on its key if that is customer managed");
    assertThatThrownBy(() -> aws.resolve("secretsmanager:featurepipe/dev/cmk"))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("secret secretsmanager:featurepipe/dev/cmk: cannot be decrypted (DecryptionFailure, HTTP 400); "
            + "grant the function's role kms:Decrypt on the secret's KMS key");
    assertThatThrownBy(() -> aws.resolve("secretsmanager:#password"))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("secret secretsmanager:#password: must be secretsmanager:<name>[#<json-field>], with a non-empty "
            + "name and field");
  }

  @Test
  void throttlingServerErrorsAndAnUnreachableServiceAreSourceUnavailableWhichTheWorkflowRetries() throws IOException {
    standIn.errors.put(DB, new Object[] {400, "ThrottlingException"});
    standIn.errors.put("/featurepipe/dev/db", new Object[] {500, "InternalServerError"});
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }

    assertThatThrownBy(() -> aws.resolve("secretsmanager:" + DB))
        .isInstanceOf(SourceUnavailable.class)
        .hasMessage("secret secretsmanager:" + DB + ": Secrets Manager throttled or failed the call "
            + "(ThrottlingException, HTTP 400) after the SDK's retries; the workflow retries")
        .satisfies(e -> assertThat(((PipelineException) e).retryable()).isTrue());
    assertThatThrownBy(() -> aws.resolve("ssm:/featurepipe/dev/db"))
        .isInstanceOf(SourceUnavailable.class)
        .hasMessage("secret ssm:/featurepipe/dev/db: SSM Parameter Store throttled or failed the call "
            + "(InternalServerError, HTTP 500) after the SDK's retries; the workflow retries");
    try (AwsSecrets unreachable = secretsAt(URI.create("http://127.0.0.1:" + closed))) {
      assertThatThrownBy(() -> unreachable.resolve("secretsmanager:" + DB))
          .isInstanceOf(SourceUnavailable.class)
          .hasMessageStartingWith("secret secretsmanager:" + DB + ": cannot reach Secrets Manager (ConnectException: ")
          .hasMessageEndingWith("); the workflow retries");
    }
  }

  @Test
  void noExceptionMessageEverHoldsTheSecretValue() {
    standIn.secrets.put("featurepipe/dev/plain", NEVER_SHOWN);
    standIn.secrets.put("featurepipe/dev/other-field", "{\"user\": \"" + NEVER_SHOWN + "\"}");
    standIn.secrets.put("featurepipe/dev/nested", "{\"password\": {\"v\": \"" + NEVER_SHOWN + "\"}}");
    standIn.secrets.put("featurepipe/dev/broken-json", "{\"password\": \"" + NEVER_SHOWN);
    standIn.binarySecrets.put("featurepipe/dev/binary", NEVER_SHOWN);
    // A 200 answer the SDK cannot parse, holding the value: the SDK's parser quotes what it read.
    standIn.rawBodies.put("featurepipe/dev/garbled", "{\"SecretString\": \"" + NEVER_SHOWN + "\" oops");
    standIn.parameters.put("/featurepipe/dev/plain", NEVER_SHOWN);

    List<String> references = List.of(
        "secretsmanager:featurepipe/dev/plain#password",
        "secretsmanager:featurepipe/dev/other-field#password",
        "secretsmanager:featurepipe/dev/nested#password",
        "secretsmanager:featurepipe/dev/broken-json#password",
        "secretsmanager:featurepipe/dev/binary",
        "secretsmanager:featurepipe/dev/garbled",
        "ssm:/featurepipe/dev/plain#password");
    List<Throwable> thrown = new ArrayList<>();
    for (String reference : references) {
      try {
        aws.resolve(reference);
      } catch (RuntimeException e) {
        thrown.add(e);
        assertThat(e).isInstanceOf(PipelineException.class).hasMessageStartingWith("secret " + reference + ": ");
      }
    }

    assertThat(thrown).hasSize(references.size());
    for (Throwable t : thrown) {
      for (Throwable inChain : chain(t)) {
        assertThat(String.valueOf(inChain.getMessage())).doesNotContain(NEVER_SHOWN);
        assertThat(inChain.toString()).doesNotContain(NEVER_SHOWN);
      }
    }
  }

  /** {@code t}, its causes and everything suppressed along the way. */
  static List<Throwable> chain(Throwable t) {
    List<Throwable> out = new ArrayList<>();
    List<Throwable> todo = new ArrayList<>(List.of(t));
    while (!todo.isEmpty()) {
      Throwable next = todo.removeLast();
      if (next == null || out.contains(next)) {
        continue;
      }
      out.add(next);
      todo.add(next.getCause());
      todo.addAll(List.of(next.getSuppressed()));
    }
    return out;
  }
}
