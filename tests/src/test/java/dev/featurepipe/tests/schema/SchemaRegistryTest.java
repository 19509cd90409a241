package dev.featurepipe.tests.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.schema.ObservedSchema;
import dev.featurepipe.schema.SchemaRegistry;
import dev.featurepipe.schema.SchemaResolver;
import dev.featurepipe.schema.SourceSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry and the resolver against the control table on a real DynamoDB emulator (dynalite over HTTP). */
class SchemaRegistryTest {

  @TempDir static Path stateDir;
  static EmbeddedStack stack;
  static SchemaRegistry registry;

  private static final LocalDate D = LocalDate.of(2026, 11, 20);

  @BeforeAll
  static void start() {
    stack = EmbeddedStack.start(StackOptions.forTests(stateDir));
    registry = new SchemaRegistry(new AwsClients(stack.awsSettings()).dynamoDb(), stack.options().controlTable());
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static SourceSchema schema(String ref, String fields) {
    return SourceSchema.parse("t", ref, ("{\"type\": \"record\", \"name\": \"r\", \"fields\": [" + fields + "]}")
        .getBytes(StandardCharsets.UTF_8));
  }

  private static ObservedSchema observed(String... names) {
    return new ObservedSchema("table t", java.util.Arrays.stream(names)
        .map(n -> new ObservedSchema.Column(n, "text", "string", true, n.equals("id") ? true : null)).toList());
  }

  @Test
  void aRerunFindsTheVersionItRegisteredAndRegistersNothingMore() {
    SourceSchema v1 = schema("clients.v1", "{\"name\": \"id\", \"type\": \"string\"}");
    SchemaResolver resolver = new SchemaResolver(registry);
    // The first observation has no history: the config's version is recorded with the source's
    // columns then, and a column there already (left out on purpose) is never new.
    assertThat(resolver.resolve("clients", v1, observed("id", "internal"), "run-0", D.minusDays(1)).schema().ref())
        .isEqualTo("clients.v1");
    SchemaResolver.Resolved first = resolver.resolve("clients", v1, observed("id", "internal", "note"), "run-a", D);
    SchemaResolver.Resolved again = resolver.resolve("clients", v1, observed("id", "internal", "note"), "run-a", D);
    SchemaResolver.Resolved later = resolver.resolve("clients", v1, observed("id", "note", "internal"), "run-b",
        D.plusDays(1));
    assertThat(first.schema().ref()).isEqualTo("clients.v2");
    assertThat(first.registeredNow()).isTrue();
    assertThat(again.registeredNow()).isFalse();
    assertThat(again.schema().definition()).isEqualTo(first.schema().definition());
    assertThat(later.schema().ref()).isEqualTo("clients.v2");
    List<SchemaRegistry.Version> versions = registry.versions("clients");
    assertThat(versions).extracting(v -> v.schema().ref(), SchemaRegistry.Version::origin, SchemaRegistry.Version::runId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("clients.v1", "config", "run-0"),
            org.assertj.core.groups.Tuple.tuple("clients.v2", "observed", "run-a"));
    assertThat(versions.get(0).sourceColumns()).containsExactly("id", "internal");
    assertThat(versions.get(1).sourceColumns()).containsExactly("id", "internal", "note");
    assertThat(versions.get(1).schema().fields()).extracting(SourceSchema.Field::name).containsExactly("id", "note");
    assertThat(registry.subjects()).contains("clients");
  }

  @Test
  void aConfigFileChangedAfterItsVersionWasRegisteredIsRefused() {
    SourceSchema v1 = schema("accounts.v1", "{\"name\": \"id\", \"type\": \"string\"}");
    SchemaResolver resolver = new SchemaResolver(registry);
    resolver.resolve("accounts", v1, observed("id"), "run-a", D);
    SourceSchema edited = schema("accounts.v1",
        "{\"name\": \"id\", \"type\": \"string\"}, {\"name\": \"tier\", \"type\": \"string\"}");
    assertThatThrownBy(() -> resolver.resolve("accounts", edited, observed("id", "tier"), "run-b", D.plusDays(1)))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageContaining("schemas/accounts.v1.avsc is not the accounts.v1 registered by run run-a (config)")
        .hasMessageContaining("Put the change in accounts.v2 instead");
    // A doc-only edit declares the same fields: accepted.
    SourceSchema documented = schema("accounts.v1", "{\"name\": \"id\", \"type\": \"string\", \"doc\": \"the key\"}");
    assertThat(resolver.resolve("accounts", documented, observed("id"), "run-c", D.plusDays(2)).schema().ref())
        .isEqualTo("accounts.v1");
  }

  /**
   * Two planners register the same new column at once: a DynamoDB interceptor (failure injection, the
   * only stand-in here) stores another run's orders.v2 (same field, other doc text) just before this
   * run's conditional PutItem of v2 reaches dynalite. The write is refused, and the run reads with the
   * stored version, registering nothing itself.
   */
  @Test
  void aPlannerThatLosesTheRaceToRegisterAVersionReadsWithTheWinnersDefinition() {
    SourceSchema v1 = schema("deals.v1", "{\"name\": \"id\", \"type\": \"string\"}");
    new SchemaResolver(registry).resolve("deals", v1, observed("id"), "run-0", D);
    SourceSchema theirs = v1.withOptionalFields(List.of(new SourceSchema.Field("note", "string", false, true)),
        "registered by the other planner");
    java.util.concurrent.atomic.AtomicBoolean raced = new java.util.concurrent.atomic.AtomicBoolean();
    software.amazon.awssdk.core.interceptor.ExecutionInterceptor competitor =
        new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
          @Override
          public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
              software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
            if (context.request() instanceof software.amazon.awssdk.services.dynamodb.model.PutItemRequest put
                && put.item().get("sk").s().equals("v000002") && raced.compareAndSet(false, true)) {
              registry.register(new SchemaRegistry.Version(theirs, "observed", "deals", "run-other", D, "theirs",
                  List.of("id", "note")));
            }
          }
        };
    try (var client = software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
        .endpointOverride(stack.dynamoDbEndpoint())
        .region(software.amazon.awssdk.regions.Region.of(EmbeddedStack.REGION))
        .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(EmbeddedStack.ACCESS_KEY_ID,
                EmbeddedStack.SECRET_ACCESS_KEY)))
        .overrideConfiguration(c -> c.addExecutionInterceptor(competitor))
        .build()) {
      SchemaResolver.Resolved mine = new SchemaResolver(new SchemaRegistry(client, stack.options().controlTable()))
          .resolve("deals", v1, observed("id", "note"), "run-mine", D);
      assertThat(raced).isTrue();
      assertThat(mine.registeredNow()).isFalse();
      assertThat(mine.schema().definition()).isEqualTo(theirs.definition());
      assertThat(registry.versions("deals")).extracting(SchemaRegistry.Version::runId)
          .containsExactly("run-0", "run-other");
    }
  }
}
