package dev.featurepipe.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.extract.jdbc.JdbcSourceOptions;
import dev.featurepipe.extract.rest.RestSourceOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registered schemas flow from {@code schemas/*.avsc} beside the config into the connectors' options. */
class SchemaBindingTest {

  private static final String USERS_V1 = """
      {"type": "record", "name": "users", "fields": [
        {"name": "user_id", "type": "long"},
        {"name": "email", "type": "string"},
        {"name": "ltv", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}]}
      ]}
      """;

  private static String config(String usersOptions) {
    return """
        version: 1
        sources:
          - id: clickstream
            kind: s3_jsonl
            prefix: clickstream/
            schema: clickstream_event_v1
          - id: users
            kind: jdbc
            schema: users.v1
            options:
        %s
          - id: catalog
            kind: rest
            schema: products.v1
            options:
              base_url: http://localhost:4567
              path: /products
              key: product_id
              records: /items
              pagination: {type: page, page_param: page}
              fields:
                - {name: category, pointer: /category/name}
        feature_groups:
          - name: product_stats
            version: 1
            entity: product_id
            source: clickstream
            buckets: 4
            online_ttl_days: 90
            event_time: event_time
            dedupe_by: event_id
            windows: [1d]
            features: [{name: views, agg: count}]
        fanout: {chunks_per_extract: 1, extract_concurrency: 2, shards: 1, transform_concurrency: 1, load_concurrency: 1}
        """.formatted(usersOptions.indent(6).stripTrailing());
  }

  private static final String USERS_OPTIONS = """
      url: jdbc:postgresql://localhost:5432/app
      credentials: env:USERS_DB
      table: public.users
      key_column: user_id
      """;

  private static Path write(Path dir, String yaml, String usersAvsc) throws Exception {
    Path schemas = Files.createDirectories(dir.resolve("schemas"));
    Files.writeString(schemas.resolve("users.v1.avsc"), usersAvsc);
    Files.writeString(schemas.resolve("products.v1.avsc"), """
        {"type": "record", "name": "products", "fields": [
          {"name": "product_id", "type": "string"},
          {"name": "category", "type": ["null", "string"]}
        ]}
        """);
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void aRegisteredSchemaBecomesTheConnectorsColumnsInSchemaOrder(@TempDir Path dir) throws Exception {
    LoadedConfig loaded = ConfigLoader.load(write(dir, config(USERS_OPTIONS), USERS_V1));

    SourceConfig users = loaded.config().source("users").orElseThrow();
    JdbcSourceOptions jdbc = JdbcSourceOptions.parse("users", users.options());
    assertThat(jdbc.columns()).containsExactly(
        new JdbcSourceOptions.Column("user_id", "long", true),
        new JdbcSourceOptions.Column("email", "string", true),
        new JdbcSourceOptions.Column("ltv", "decimal(12,2)", false));

    RestSourceOptions rest = RestSourceOptions.parse("catalog", loaded.config().source("catalog").orElseThrow().options());
    assertThat(rest.fields()).extracting(f -> f.name() + " " + f.pointer() + " " + f.type() + " " + f.required())
        .containsExactly("product_id /product_id string true", "category /category/name string false");
  }

  @Test
  void theConfigHashCoversTheSchemaFilesItUses(@TempDir Path dir) throws Exception {
    String a = ConfigLoader.load(write(dir.resolve("a"), config(USERS_OPTIONS), USERS_V1)).sha256();
    String same = ConfigLoader.load(write(dir.resolve("b"), config(USERS_OPTIONS), USERS_V1)).sha256();
    String widened = ConfigLoader.load(write(dir.resolve("c"), config(USERS_OPTIONS),
        USERS_V1.replace("\"precision\": 12", "\"precision\": 14"))).sha256();
    assertThat(same).isEqualTo(a);
    assertThat(widened).isNotEqualTo(a);
  }

  @Test
  void optionsThatContradictTheSchemaOrNameUnknownColumnsAreRejectedAtLoad(@TempDir Path dir) throws Exception {
    String options = USERS_OPTIONS + """
        columns:
          - {name: email, type: long}
          - {name: emial}
          - {name: ltv, required: true}
        """;
    assertThatThrownBy(() -> ConfigLoader.load(write(dir, config(options), USERS_V1)))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageEndingWith(String.join("\n",
            "has 3 problem(s):",
            "sources[users].options.columns[1].name: schema users.v1 has no column emial; its columns are "
                + "[user_id, email, ltv]",
            "sources[users].options.columns[email].type: schema users.v1 declares string, got long; remove it here "
                + "(the schema decides) or register users.v2",
            "sources[users].options.columns[ltv].required: schema users.v1 declares optional (a [\"null\", T] union), "
                + "got required: true"));
  }

  @Test
  void aMissingSchemaFileSaysWhereItLooked(@TempDir Path dir) throws Exception {
    Path file = write(dir, config(USERS_OPTIONS).replace("schema: users.v1", "schema: users.v2"), USERS_V1);
    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageContaining("sources[users].schema: must name a registered schema <subject>.v<N> with a file "
            + "schemas/<subject>.v<N>.avsc, got users.v2 (looked in [" + dir.toAbsolutePath().resolve("schemas"));
  }

  @Test
  void kindSpecificOptionsAreCheckedWhenTheConfigLoadsNotAtTheFirstExtract(@TempDir Path dir) throws Exception {
    String options = USERS_OPTIONS.replace("key_column: user_id", "key_column: user_id\nchunk_rows: 0");
    assertThatThrownBy(() -> ConfigLoader.load(write(dir, config(options), USERS_V1)))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageContaining("sources[users].options.chunk_rows");
    String bytes = config(USERS_OPTIONS).replace("\n    schema: users.v1", "").replace("\n    schema: products.v1", "");
    assertThatThrownBy(() -> ConfigLoader.load(bytes.getBytes(StandardCharsets.UTF_8), "inline.yaml"))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageContaining("sources[users].options.columns");
  }
}
