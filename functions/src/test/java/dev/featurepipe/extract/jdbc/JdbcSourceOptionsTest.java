package dev.featurepipe.extract.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.featurepipe.errors.ConfigInvalid;
import org.junit.jupiter.api.Test;

class JdbcSourceOptionsTest {

  static JsonNode yaml(String text) throws Exception {
    return new YAMLMapper().readTree(text);
  }

  @Test
  void aValidSnippetParsesWithTheDefaultChunkSize() throws Exception {
    JdbcSourceOptions o = JdbcSourceOptions.parse("orders", yaml("""
        url: jdbc:postgresql://db.internal:5432/shop
        credentials: secretsmanager:featurepipe/orders-db
        table: sales.orders
        key_column: order_id
        watermark_column: updated_at
        columns:
          - {name: order_id, type: long, required: true}
          - {name: amount, type: "decimal(12,2)"}
          - {name: updated_at, type: timestamptz, required: true}
        """));

    assertThat(o.chunkRows()).isEqualTo(JdbcSourceOptions.CHUNK_ROWS_DEFAULT);
    assertThat(o.table()).isEqualTo("sales.orders");
    assertThat(o.columns()).extracting(JdbcSourceOptions.Column::name).containsExactly("order_id", "amount",
        "updated_at");
  }

  @Test
  void anIdentifierCarryingSqlIsRefusedAtConstructionWithTheExactMessage() throws Exception {
    JsonNode options = yaml("""
        url: jdbc:postgresql://db:5432/shop
        credentials: env:DB_LOGIN
        table: "users; drop table x"
        key_column: id
        columns: [{name: id, type: long}]
        """);

    assertThatThrownBy(() -> JdbcSourceOptions.parse("users", options))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("sources[users].options.table: must be an identifier "
            + "[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?, got users; drop table x");
  }

  @Test
  void everyViolationIsListedOnItsOwnLine() throws Exception {
    JsonNode options = yaml("""
        url: postgresql://db/shop
        credentials: hunter2
        key_column: "id)"
        chunk_rows: 0
        watermark_column: name
        columns:
          - {name: id, type: long}
          - {name: name, type: varchar}
          - {name: id, type: "decimal(40,2)"}
        """);

    assertThatThrownBy(() -> JdbcSourceOptions.parse("users", options))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage(String.join("\n",
            "sources[users].options.url: must be a JDBC URL starting with jdbc:, got postgresql://db/shop",
            "sources[users].options.credentials: must be a secret reference (secretsmanager:, ssm:, env:, file:) "
                + "to JSON {\"username\", \"password\"}, got a value that is no reference (not shown: it may be "
                + "the password)",
            "sources[users].options.table: exactly one of table and query must be set, got neither",
            "sources[users].options.chunk_rows: must be between 1 and 100000000, got 0",
            "sources[users].options.columns[1].type: must be one of string, int, long, double, boolean, date, "
                + "timestamptz, decimal(p,s) (1 <= p <= 38, s <= p), got varchar",
            "sources[users].options.columns[2].name: must be unique, got a second id",
            "sources[users].options.columns[2].type: must be one of string, int, long, double, boolean, date, "
                + "timestamptz, decimal(p,s) (1 <= p <= 38, s <= p), got decimal(40,2)",
            "sources[users].options.key_column: must be an identifier [A-Za-z_][A-Za-z0-9_]*, got id)",
            "sources[users].options.watermark_column: must name a timestamptz, date, long or int column in "
                + "columns, got name"));
  }

  @Test
  void aPasswordInTheUrlIsRefusedWithoutBeingEchoed() throws Exception {
    JsonNode options = yaml("""
        url: jdbc:postgresql://db/shop?user=app&password=s3cr3t
        credentials: env:DB_LOGIN
        table: users
        key_column: id
        columns: [{name: id, type: long}]
        """);

    assertThatThrownBy(() -> JdbcSourceOptions.parse("users", options))
        .hasMessage("sources[users].options.url: must not hold a password (put it in the credentials secret), "
            + "got a URL with password= in it")
        .message().doesNotContain("s3cr3t");
  }

  @Test
  void anUnknownOptionIsRefusedNamingItsPath() throws Exception {
    JsonNode options = yaml("""
        url: jdbc:postgresql://db/shop
        credentials: env:DB_LOGIN
        table: users
        key_column: id
        chunk_size: 10
        columns: [{name: id, type: long}]
        """);

    assertThatThrownBy(() -> JdbcSourceOptions.parse("users", options))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageStartingWith("sources[users].options.chunk_size: Unrecognized field \"chunk_size\"");
  }
}
