package dev.featurepipe.extract.jdbc;

import dev.featurepipe.extract.FieldTypes;
import dev.featurepipe.extract.ConnectorOptions;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.featurepipe.aws.SecretResolver;
import dev.featurepipe.errors.ConfigInvalid;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The {@code options} of a {@code kind: jdbc} source, validated once: every rule broken is reported
 * together, one line each, as {@code sources[<id>].options.<field>: <rule>, got <value>}.
 *
 * <p>Exactly one of {@code table} and {@code query} is set. {@code credentials} is a secret reference
 * whose value is JSON {@code {"username": .., "password": ..}}: one reference, so a rotation changes
 * both halves atomically. {@code columns} is the Bronze schema, field ids 1.. in list order.
 */
public record JdbcSourceOptions(
    String sourceId,
    String url,
    String credentials,
    String table,
    String query,
    String keyColumn,
    int chunkRows,
    String watermarkColumn,
    List<Column> columns) {

  /** 500k rows of a typical 10-column table is ~50-100 MB of Parquet input: one Lambda's comfortable share. */
  public static final int CHUNK_ROWS_DEFAULT = 500_000;

  static final int CHUNK_ROWS_MAX = 100_000_000;

  /** Identifiers reach SQL text (quoted), so only plain names pass; values never do (bind parameters). */
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  static final Pattern QUALIFIED = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  static final List<String> SECRET_SCHEMES = SecretResolver.SCHEMES;


  static final String TYPES = "string, int, long, double, boolean, date, timestamptz, decimal(p,s)";

  /** Iceberg decimals hold at most 38 digits. */

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // Not FAIL_ON_NULL_FOR_PRIMITIVES: an absent columns[].required means false.
          .build();

  /** One Bronze column: {@code type} is one of {@link #TYPES}; a null in a {@code required} column rejects the row. */
  public record Column(
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty(value = "type", required = true) String type,
      @JsonProperty("required") boolean required) {

    /** The Iceberg type, or null when {@code type} names none (reported by the options' validation). */
    Type icebergType() {
      return FieldTypes.icebergType(type);
    }
  }

  /** The YAML shape, bound strictly before the rules run. */
  private record Raw(
      @JsonProperty(value = "url", required = true) String url,
      @JsonProperty(value = "credentials", required = true) String credentials,
      @JsonProperty("table") String table,
      @JsonProperty("query") String query,
      @JsonProperty(value = "key_column", required = true) String keyColumn,
      @JsonProperty("chunk_rows") Integer chunkRows,
      @JsonProperty("watermark_column") String watermarkColumn,
      @JsonProperty(value = "columns", required = true) List<Column> columns) {}

  public JdbcSourceOptions {
    columns = columns == null ? List.of() : List.copyOf(columns);
    List<String> out = new ArrayList<>();
    String at = "sources[" + sourceId + "].options.";
    if (url == null || !url.startsWith("jdbc:")) {
      out.add(at + "url: must be a JDBC URL starting with jdbc:, got " + url);
    } else if (url.toLowerCase(Locale.ROOT).contains("password=")) {
      // The URL is logged and put in messages; a password in it would leak, so it is refused unechoed.
      out.add(at + "url: must not hold a password (put it in the credentials secret), got a URL with password= in it");
    }
    if (credentials == null || SECRET_SCHEMES.stream().noneMatch(credentials::startsWith)) {
      // Not echoed: what is no reference may be the password itself, and this message is logged.
      out.add(at + "credentials: must be a secret reference (" + String.join(", ", SECRET_SCHEMES)
          + ") to JSON {\"username\", \"password\"}, got " + (credentials == null ? "nothing"
              : "a value that is no reference (not shown: it may be the password)"));
    }
    if ((table == null) == (query == null)) {
      out.add(at + "table: exactly one of table and query must be set, got "
          + (table == null ? "neither" : "both"));
    }
    if (table != null && !QUALIFIED.matcher(table).matches()) {
      out.add(at + "table: must be an identifier " + QUALIFIED.pattern() + ", got " + table);
    }
    if (query != null && (query.isBlank() || query.contains(";"))) {
      out.add(at + "query: must be one SELECT without ;, got " + query);
    }
    if (chunkRows < 1 || chunkRows > CHUNK_ROWS_MAX) {
      out.add(at + "chunk_rows: must be between 1 and " + CHUNK_ROWS_MAX + ", got " + chunkRows);
    }
    if (columns.isEmpty()) {
      out.add(at + "columns: must list at least one column, got []");
    }
    TreeSet<String> names = new TreeSet<>();
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      if (c == null || c.name() == null || !IDENTIFIER.matcher(c.name()).matches()) {
        out.add(at + "columns[" + i + "].name: must be an identifier " + IDENTIFIER.pattern() + ", got "
            + (c == null ? null : c.name()));
        continue;
      }
      if (!names.add(c.name())) {
        out.add(at + "columns[" + i + "].name: must be unique, got a second " + c.name());
      }
      if (c.icebergType() == null) {
        out.add(at + "columns[" + i + "].type: must be one of " + TYPES + " (1 <= p <= 38, s <= p), got " + c.type());
      }
    }
    if (keyColumn == null || !IDENTIFIER.matcher(keyColumn).matches()) {
      out.add(at + "key_column: must be an identifier " + IDENTIFIER.pattern() + ", got " + keyColumn);
    } else if (!hasColumn(columns, keyColumn, "int", "long")) {
      out.add(at + "key_column: must name an int or long column in columns, got " + keyColumn);
    }
    if (watermarkColumn != null) {
      if (!IDENTIFIER.matcher(watermarkColumn).matches()) {
        out.add(at + "watermark_column: must be an identifier " + IDENTIFIER.pattern() + ", got " + watermarkColumn);
      } else if (!hasColumn(columns, watermarkColumn, "timestamptz", "date", "long", "int")) {
        out.add(at + "watermark_column: must name a timestamptz, date, long or int column in columns, got "
            + watermarkColumn);
      }
    }
    if (!out.isEmpty()) {
      throw new ConfigInvalid(String.join("\n", out));
    }
  }

  /** Binds and validates a source's {@code options} node. */
  public static JdbcSourceOptions parse(String sourceId, JsonNode options) {
    Raw raw = ConnectorOptions.bind(STRICT, sourceId, "jdbc", options, Raw.class);
    return new JdbcSourceOptions(sourceId, raw.url(), raw.credentials(), raw.table(), raw.query(), raw.keyColumn(),
        raw.chunkRows() == null ? CHUNK_ROWS_DEFAULT : raw.chunkRows(), raw.watermarkColumn(), raw.columns());
  }

  /** The column with this name; every name used here was checked to be in {@link #columns}. */
  Column column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("[BUG] no column " + name));
  }

  private static boolean hasColumn(List<Column> columns, String name, String... types) {
    return columns.stream().anyMatch(c -> c != null && name.equals(c.name()) && List.of(types).contains(c.type()));
  }
}
