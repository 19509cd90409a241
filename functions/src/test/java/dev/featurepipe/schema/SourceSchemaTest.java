package dev.featurepipe.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.ConfigInvalid;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SourceSchemaTest {

  private static SourceSchema parse(String ref, String avsc) {
    return SourceSchema.parse("sources[users].schema", ref, avsc.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void avroFieldsBecomeBronzeColumnsInOrderWithNullUnionsOptional() {
    SourceSchema s = parse("users.v3", """
        {"type": "record", "name": "users", "fields": [
          {"name": "user_id", "type": "long"},
          {"name": "email", "type": "string"},
          {"name": "country", "type": ["null", "string"], "default": null},
          {"name": "age", "type": ["int", "null"]},
          {"name": "score", "type": "double"},
          {"name": "active", "type": "boolean"},
          {"name": "born", "type": {"type": "int", "logicalType": "date"}},
          {"name": "signed_up", "type": {"type": "long", "logicalType": "timestamp-micros"}},
          {"name": "seen", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
          {"name": "ltv", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}]},
          {"name": "big", "type": {"type": "fixed", "name": "big16", "size": 16, "logicalType": "decimal", "precision": 38, "scale": 0}}
        ]}
        """);
    assertThat(s.subject()).isEqualTo("users");
    assertThat(s.version()).isEqualTo(3);
    assertThat(s.fields()).containsExactly(
        new SourceSchema.Field("user_id", "long", true),
        new SourceSchema.Field("email", "string", true),
        new SourceSchema.Field("country", "string", false),
        new SourceSchema.Field("age", "int", false),
        new SourceSchema.Field("score", "double", true),
        new SourceSchema.Field("active", "boolean", true),
        new SourceSchema.Field("born", "date", true),
        new SourceSchema.Field("signed_up", "timestamptz", true),
        new SourceSchema.Field("seen", "timestamptz", false),
        new SourceSchema.Field("ltv", "decimal(12,2)", false),
        new SourceSchema.Field("big", "decimal(38,0)", true));
  }

  @Test
  void typesBronzeCannotKeepExactlyAreAllReportedWithTheirFix() {
    assertThatThrownBy(() -> parse("users.v1", """
        {"type": "record", "name": "users", "fields": [
          {"name": "ratio", "type": "float"},
          {"name": "tier", "type": {"type": "enum", "name": "tier", "symbols": ["free", "pro"]}},
          {"name": "tags", "type": {"type": "array", "items": "string"}},
          {"name": "either", "type": ["null", "string", "long"]},
          {"name": "local", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
          {"name": "ok", "type": "string"}
        ]}
        """))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage(String.join("\n",
            "sources[users].schema: schemas/users.v1.avsc field ratio: float is not supported; declare double "
                + "(every float is exactly a double)",
            "sources[users].schema: schemas/users.v1.avsc field tier: enum is not supported; declare string "
                + "(and an allowed-values quality rule)",
            "sources[users].schema: schemas/users.v1.avsc field tags: array is not supported; Bronze columns are "
                + "flat (string, int, long, double, boolean, date, timestamp-micros, decimal)",
            "sources[users].schema: schemas/users.v1.avsc field either: only [\"null\", T] unions are supported "
                + "(an optional column), got [\"null\",\"string\",\"long\"]",
            "sources[users].schema: schemas/users.v1.avsc field local: logical type local-timestamp-micros is not "
                + "supported; use date, timestamp-micros (an instant, kept as timestamptz) or decimal"));
  }

  @Test
  void aReferenceMustCarryItsVersionAndTheFileMustBeAvro() {
    assertThatThrownBy(() -> parse("users", "{}"))
        .hasMessage("sources[users].schema: must be <subject>.v<N> (for example users.v1, read from "
            + "schemas/users.v1.avsc), got users");
    assertThatThrownBy(() -> parse("users.v1", "{\"type\": \"record\""))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageStartingWith("sources[users].schema: schemas/users.v1.avsc is not a valid Avro schema: ");
    assertThatThrownBy(() -> parse("users.v1", "\"string\""))
        .hasMessage("sources[users].schema: schemas/users.v1.avsc must be an Avro record, got STRING");
  }
}
