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
}
