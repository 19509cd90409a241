package dev.featurepipe.extract.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.aws.SecretResolver;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.errors.SchemaIncompatible;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.extract.ConnectorContext;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.extract.jdbc.WatermarkWindows.Window;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.ops.Json;
import dev.featurepipe.ops.Log;
import dev.featurepipe.schema.ObservedSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types.NestedField;

/**
 * Kind {@code jdbc}: one table or query of a relational database, chunked by contiguous ranges of an
 * integer key. {@link #plan} asks the database once for the key's min, max and count (within the
 * watermark window) and cuts {@code [min, max]} into ranges of about {@code chunk_rows} keys; each
 * range is an {@link ExtractItem} with {@code range = {"from": a, "to": b}} (half-open) and, for
 * incremental sources, the date's watermark window: lower bound {@code wm_after} (exclusive) or
 * {@code wm_from} (inclusive), upper bound {@code wm_max} (inclusive), so every chunk reads the same
 * window. The window of a date is fixed at its first plan and reused by every later one ({@link
 * WatermarkWindows}), so a rerun reads the same range again.
 */
public final class JdbcConnector implements SourceConnector {

  /**
   * Rows per network round trip. PostgreSQL streams only with autocommit off and a fetch size set
   * (pgjdbc docs, "Getting results based on a cursor"); otherwise the driver buffers the whole chunk.
   */
  static final int FETCH_SIZE = 10_000;

  /** Seconds to wait for a TCP connection before calling the source unavailable. */
  static final int CONNECT_TIMEOUT_SECONDS = 10;

  private static final Pattern HOST = Pattern.compile("//(?:[^/@?;]*@)?([^/?;]+)");

  private static final Pattern NAMED_PARAMETER = Pattern.compile("(?<![:\\w]):(dt_start|dt_end)\\b");

  private final JdbcSourceOptions options;
  private final Dialect dialect;
  private final SecretResolver secrets;
  private final WatermarkWindows windows;
  private final Schema schema;
  private final int keyPos;
  private final Comparator<Record> order;

  /**
   * {@code partitionSealed}: whether this source's Bronze partition of a date has been sealed
   * (its manifest exists); an incremental source refuses to plan a sealed date it has no window for.
   */
  public JdbcConnector(JdbcSourceOptions options, SecretResolver secrets, WatermarkStore watermarks,
      Predicate<LocalDate> partitionSealed) {
    this.options = options;
    this.dialect = Dialect.of(options.url());
    this.secrets = secrets;
    this.windows = new WatermarkWindows(options.sourceId(), watermarks, partitionSealed);
    this.schema = bronzeSchema(options);
    int pos = -1;
    for (int i = 0; i < options.columns().size(); i++) {
      if (options.columns().get(i).name().equals(options.keyColumn())) {
        pos = i;
      }
    }
    this.keyPos = pos;
    int k = pos;
    this.order = Comparator.comparingLong(r -> ((Number) r.get(k)).longValue());
  }

  /** The Bronze schema of a source with these options; needs no connection. */
  public static Schema bronzeSchema(JdbcSourceOptions options) {
    List<NestedField> fields = new ArrayList<>();
    for (int i = 0; i < options.columns().size(); i++) {
      JdbcSourceOptions.Column c = options.columns().get(i);
      boolean key = c.name().equals(options.keyColumn());
      // Field ids are list positions + 1, fixed forever: Parquet readers match columns by id.
      fields.add(key || c.required()
          ? NestedField.required(i + 1, c.name(), c.icebergType())
          : NestedField.optional(i + 1, c.name(), c.icebergType()));
    }
    return new Schema(fields);
  }

  public static JdbcConnector create(SourceConfig source, ConnectorContext ctx) {
    LakeStore lake = new LakeStore(ctx.s3(), ctx.lakeBucket());
    return new JdbcConnector(JdbcSourceOptions.parse(source.id(), source.options()), ctx.secrets(),
        WatermarkStore.of(ctx.checkpoints()), dt -> lake.find(LakeLayout.bronzeManifest(source.id(), dt)).isPresent());
  }

  @Override
  public Schema bronzeSchema() {
    return schema;
  }

  /** By the key column: a primary key, so a total order. */
  @Override
  public Comparator<Record> bronzeOrder() {
    return order;
  }

  /** What the database holds in a window: row count, key range and highest watermark (null without one). */
  record KeyStats(long count, long minKey, long maxKey, String maxWatermark) {}

  @Override
  public List<ExtractItem> plan(LocalDate dt) {
    if (watermarkColumn() == null) {
      return chunks(measure(dt, null, false), null);
    }
    // A time watermark's first window starts at the date's midnight, not at the table's first row.
    Window first = isTimeWatermark() ? new Window(null, dayStart(dt).toString(), null) : Window.UNBOUNDED;
    WatermarkWindows.Planned planned = windows.plan(dt, first, lower -> measure(dt, lower, true));
    Window window = planned.window();
    KeyStats stats = window.empty() ? new KeyStats(0, 0, 0, null)
        : planned.measured() != null ? planned.measured() : measure(dt, window, false);
    Log.info("PlanDailyRun", "jdbc_window", "source", options.sourceId(), "date", dt, "fixed_now",
        planned.measured() != null, "watermark_after", window.after(), "watermark_from", window.from(),
        "watermark_max", window.upTo());
    return chunks(stats, window);
  }

  /**
   * Asks the database once for the key range, row count and highest watermark of the rows in
   * {@code window} (null: all rows); {@code capAtDayEnd}: a time watermark also stays below the next
   * midnight, or a busy table's watermark would run ahead into the next day's partition.
   */
  private KeyStats measure(LocalDate dt, Window window, boolean capAtDayEnd) {
    Sql sql = new Sql(dt);
    String key = quote(options.keyColumn());
    sql.text.append("SELECT min(").append(key).append("), max(").append(key).append("), count(*)");
    if (watermarkColumn() != null) {
      sql.text.append(", max(").append(quote(watermarkColumn())).append(")");
    }
    sql.from();
    sql.text.append(" WHERE ").append(key).append(" IS NOT NULL");
    if (window != null) {
      sql.window(window);
    }
    if (capAtDayEnd && isTimeWatermark()) {
      sql.text.append(" AND ").append(quote(watermarkColumn())).append(" < ?");
      sql.params.add(watermarkValue(dayStart(dt.plusDays(1)).toString()));
    }
    try (Connection c = connect(); PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
      rs.next();
      long count = rs.getLong(3);
      return count == 0 ? new KeyStats(0, 0, 0, null) : new KeyStats(count, rs.getLong(1), rs.getLong(2),
          watermarkColumn() == null ? null : watermarkString(rs, 4));
    } catch (SQLException e) {
      throw failure("planning", e);
    }
  }

  private List<ExtractItem> chunks(KeyStats stats, Window window) {
    if (stats.count() == 0) {
      return List.of();
    }
    List<ExtractItem> items = ranges(stats.minKey(), stats.maxKey(), stats.count(), window);
    Log.info("PlanDailyRun", "jdbc_planned", "source", options.sourceId(), "host", host(), "rows", stats.count(),
        "chunks", items.size());
    return items;
  }

  private List<ExtractItem> ranges(long min, long max, long count, Window window) {
    BigInteger lo = BigInteger.valueOf(min);
    BigInteger end = BigInteger.valueOf(max).add(BigInteger.ONE);
    BigInteger span = end.subtract(lo);
    long chunks = Math.max(1, (count + options.chunkRows() - 1) / options.chunkRows());
    // Ranges are cut by key value, not row number, assuming keys are spread evenly; gaps make
    // chunks smaller, never larger than the keys they can hold.
    BigInteger step = span.add(BigInteger.valueOf(chunks - 1)).divide(BigInteger.valueOf(chunks));
    List<ExtractItem> items = new ArrayList<>();
    for (BigInteger from = lo; from.compareTo(end) < 0; from = from.add(step)) {
      BigInteger to = from.add(step).min(end);
      ObjectNode range = Json.mapper().createObjectNode();
      range.put("from", from);
      range.put("to", to);
      if (window != null) {
        putIfSet(range, "wm_after", window.after());
        putIfSet(range, "wm_from", window.from());
        putIfSet(range, "wm_max", window.upTo());
      }
      items.add(new ExtractItem(options.sourceId(), "keys-" + from + "-" + to, null, null, 0, null, range));
    }
    items.sort(Comparator.comparing(ExtractItem::chunkId));
    return items;
  }

  private static void putIfSet(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  @Override
  public void read(ExtractItem item, LocalDate dt, RowSink sink) {
    JsonNode range = item.range();
    if (range == null || !range.has("from") || !range.has("to")) {
      throw new IllegalArgumentException("[BUG] chunk " + item.chunkId() + " of source " + options.sourceId()
          + " has no key range; JDBC chunks come from JdbcConnector.plan");
    }
    Sql sql = new Sql(dt);
    String key = quote(options.keyColumn());
    sql.text.append("SELECT ");
    for (int i = 0; i < options.columns().size(); i++) {
      sql.text.append(i == 0 ? "" : ", ").append(quote(options.columns().get(i).name()));
    }
    sql.from();
    sql.text.append(" WHERE ").append(key).append(" >= ?");
    // Read as text: a hop through a JSON parser that keeps numbers as doubles may have quoted them.
    sql.params.add(new BigInteger(range.get("from").asText()).longValueExact());
    BigInteger to = new BigInteger(range.get("to").asText());
    if (to.bitLength() < Long.SIZE) {
      sql.text.append(" AND ").append(key).append(" < ?");
      sql.params.add(to.longValue());
    } // else the range ends past Long.MAX_VALUE: the key's type bounds it already.
    if (watermarkColumn() != null) {
      String from = text(range, "wm_from");
      if (from == null && text(range, "wm_after") == null && isTimeWatermark()) {
        // An item planned before windows were recorded: its first window started at the date's midnight.
        from = dayStart(dt).toString();
      }
      sql.window(new Window(text(range, "wm_after"), from, text(range, "wm_max")));
    }
    sql.text.append(" ORDER BY ").append(key);
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try (PreparedStatement ps = sql.prepare(c)) {
        ps.setFetchSize(FETCH_SIZE);
        try (ResultSet rs = ps.executeQuery()) {
          RowMapper mapper = new RowMapper(rs.getMetaData());
          while (rs.next()) {
            mapper.row(rs, sink);
          }
        }
      }
      // No commit or rollback: closing the connection ends the read-only transaction.
    } catch (SQLException e) {
      throw failure("reading chunk " + item.chunkId(), e);
    }
  }

  /** Maps one row at a time to the Bronze schema; a value the schema cannot hold rejects its row. */
  private final class RowMapper {

    private final GenericRecord template = GenericRecord.create(schema);
    private final Type[] types;
    private final boolean[] required;

    RowMapper(ResultSetMetaData meta) throws SQLException {
      int n = options.columns().size();
      types = new Type[n];
      required = new boolean[n];
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        NestedField f = schema.columns().get(i);
        types[i] = f.type();
        required[i] = f.isRequired();
        int jdbc = meta.getColumnType(i + 1);
        String dbType = meta.getColumnTypeName(i + 1);
        if (!compatible(f.type(), jdbc, dbType, dialect)) {
          wrong.add(f.name() + " is " + dbType + ", which cannot hold " + options.columns().get(i).type());
        }
      }
      if (!wrong.isEmpty()) {
        throw new SchemaIncompatible("source " + options.sourceId() + ": " + String.join("; ", wrong)
            + "; change the column's type in options.columns or the database");
      }
    }

    void row(ResultSet rs, RowSink sink) throws SQLException {
      long key = rs.getLong(keyPos + 1);
      GenericRecord r = template.copy();
      for (int i = 0; i < types.length; i++) {
        Object value;
        try {
          value = value(rs, i + 1, types[i]);
        } catch (SQLException e) {
          if (e.getSQLState() == null || !e.getSQLState().startsWith("22")) {
            throw e;
          }
          value = new Rejection("invalid_value", "column " + name(i) + ": the driver cannot read it as "
              + options.columns().get(i).type() + " (SQLState " + e.getSQLState() + ")");
        }
        if (value instanceof Rejection rejection) {
          sink.reject(key, rejection, null);
          return;
        }
        if (value == null && required[i]) {
          sink.reject(key, Rejection.of("required_null", "column " + name(i) + ": required, got null"), null);
          return;
        }
        r.set(i, value);
      }
      sink.row(r);
    }

    private String name(int i) {
      return options.columns().get(i).name();
    }

    /** The column's value as its Iceberg type's Java class, null, or the Rejection that stops the row. */
    private Object value(ResultSet rs, int col, Type type) throws SQLException {
      String name = options.columns().get(col - 1).name();
      switch (type.typeId()) {
        case STRING:
          return rs.getString(col);
        case INTEGER: {
          long v = rs.getLong(col);
          if (rs.wasNull()) {
            return null;
          }
          if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            return Rejection.of("out_of_range", "column " + name + ": int must be between "
                + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
          }
          return (int) v;
        }
        case LONG: {
          long v = rs.getLong(col);
          return rs.wasNull() ? null : v;
        }
        case DOUBLE: {
          double v = rs.getDouble(col);
          return rs.wasNull() ? null : v;
        }
        case BOOLEAN: {
          boolean v = rs.getBoolean(col);
          return rs.wasNull() ? null : v;
        }
        case DATE:
          return rs.getObject(col, LocalDate.class);
        case TIMESTAMP: {
          OffsetDateTime v = rs.getObject(col, OffsetDateTime.class);
          if (v == null) {
            return null;
          }
          if (v.getYear() < 1 || v.getYear() > 9999) {
            // PostgreSQL's 'infinity' arrives as OffsetDateTime.MAX/MIN, which no Parquet timestamp holds.
            return Rejection.of("out_of_range", "column " + name + ": timestamptz must be within years 1..9999");
          }
          if (v.getNano() % 1000 != 0) {
            return Rejection.of("precision_exceeded", "column " + name + ": timestamptz holds microseconds, "
                + "the value has nanoseconds");
          }
          return v.withOffsetSameInstant(ZoneOffset.UTC);
        }
        case DECIMAL: {
          BigDecimal v = rs.getBigDecimal(col);
          if (v == null) {
            return null;
          }
          org.apache.iceberg.types.Types.DecimalType d = (org.apache.iceberg.types.Types.DecimalType) type;
          BigDecimal scaled;
          try {
            scaled = v.setScale(d.scale(), RoundingMode.UNNECESSARY);
          } catch (ArithmeticException e) {
            return Rejection.of("scale_exceeded", "column " + name + ": decimal(" + d.precision() + "," + d.scale()
                + ") allows at most " + d.scale() + " fraction digits; values are rejected, not rounded");
          }
          if (scaled.precision() > d.precision()) {
            return Rejection.of("precision_exceeded", "column " + name + ": decimal(" + d.precision() + ","
                + d.scale() + ") allows at most " + (d.precision() - d.scale()) + " integer digits");
          }
          return scaled;
        }
        default:
          throw new IllegalStateException("[BUG] no mapping for Iceberg type " + type);
      }
    }
  }

  /**
   * Every column of the table (or the query's result), from the driver's metadata for a query that
   * returns no row: names, types, nullability. A configured column is matched by name and checked
   * with {@link #compatible}.
   */
  @Override
  public java.util.Optional<ObservedSchema> observeSchema(List<ExtractItem> planned) {
    Sql sql = noRows();
    java.util.Map<String, JdbcSourceOptions.Column> registered = new java.util.HashMap<>();
    options.columns().forEach(c -> registered.put(c.name(), c));
    List<ObservedSchema.Column> columns = new ArrayList<>();
    try (Connection c = connect(); PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        String name = meta.getColumnLabel(i);
        int jdbc = meta.getColumnType(i);
        String db = meta.getColumnTypeName(i);
        int precision = meta.getPrecision(i);
        int scale = meta.getScale(i);
        boolean numeric = jdbc == Types.NUMERIC || jdbc == Types.DECIMAL;
        JdbcSourceOptions.Column r = registered.get(name);
        columns.add(new ObservedSchema.Column(name, numeric && precision > 0 ? db + "(" + precision + "," + scale + ")" : db,
            fieldType(jdbc, db, precision, scale, dialect), meta.isNullable(i) != ResultSetMetaData.columnNoNulls,
            r == null ? null : compatible(r.icebergType(), jdbc, db, dialect)));
      }
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      if (state.startsWith("42") && !Dialect.missingTable(state)) {
        // A role granted SELECT on some columns only (least privilege) may not SELECT *: the
        // registered columns are still read and checked (a missing one fails the read), but no
        // new column can be seen, so nothing is compared or registered.
        Log.info("PlanDailyRun", "schema_not_observed", "source", options.sourceId(), "sql_state", state,
            "reason", "the role may not SELECT every column; grant it, or new columns go unnoticed");
        return java.util.Optional.empty();
      }
      throw failure("reading the column list", e);
    }
    return java.util.Optional.of(new ObservedSchema(
        (options.table() != null ? "table " + options.table() : "the query") + " at " + host(), columns));
  }

  /** The connector type a new database column is registered with; null when none holds it exactly. */
  static String fieldType(int jdbc, String dbType, int precision, int scale, Dialect dialect) {
    return switch (jdbc) {
      case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR, Types.NCHAR, Types.LONGNVARCHAR, Types.CLOB ->
          "string";
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> "int";
      case Types.BIGINT -> "long";
      case Types.DOUBLE, Types.FLOAT, Types.REAL -> "double";
      case Types.BOOLEAN, Types.BIT -> "boolean";
      case Types.DATE -> "date";
      case Types.TIMESTAMP_WITH_TIMEZONE -> "timestamptz";
      case Types.TIMESTAMP -> dialect.timestampIsInstant(dbType) ? "timestamptz" : null;
      case Types.NUMERIC, Types.DECIMAL ->
          precision >= 1 && precision <= dev.featurepipe.extract.FieldTypes.MAX_PRECISION && scale >= 0
              && scale <= precision ? "decimal(" + precision + "," + scale + ")" : null;
      default -> null;
    };
  }

  /** Whether the database column can feed the declared type without a lossy conversion by the driver. */
  static boolean compatible(Type type, int jdbc, String dbType, Dialect dialect) {
    return switch (type.typeId()) {
      case STRING -> jdbc == Types.VARCHAR || jdbc == Types.CHAR || jdbc == Types.LONGVARCHAR || jdbc == Types.NVARCHAR
          || jdbc == Types.NCHAR || jdbc == Types.LONGNVARCHAR || jdbc == Types.CLOB;
      case INTEGER, LONG -> jdbc == Types.TINYINT || jdbc == Types.SMALLINT || jdbc == Types.INTEGER
          || jdbc == Types.BIGINT;
      case DOUBLE -> jdbc == Types.DOUBLE || jdbc == Types.FLOAT || jdbc == Types.REAL;
      case BOOLEAN -> jdbc == Types.BOOLEAN || jdbc == Types.BIT;
      case DATE -> jdbc == Types.DATE;
      // pgjdbc reports timestamptz as Types.TIMESTAMP, MariaDB its TIMESTAMP too: the type name tells
      // them from a zoneless timestamp (DATETIME), whose instant would depend on a time zone guess.
      case TIMESTAMP -> jdbc == Types.TIMESTAMP_WITH_TIMEZONE
          || (jdbc == Types.TIMESTAMP && dialect.timestampIsInstant(dbType));
      case DECIMAL -> jdbc == Types.NUMERIC || jdbc == Types.DECIMAL || jdbc == Types.TINYINT
          || jdbc == Types.SMALLINT || jdbc == Types.INTEGER || jdbc == Types.BIGINT;
      default -> false;
    };
  }

  /** SQL text with its bind values in order; the source's own {@code :dt_start}/{@code :dt_end} come first. */
  private final class Sql {
    final StringBuilder text = new StringBuilder();
    final List<Object> params = new ArrayList<>();
    private final LocalDate dt;

    Sql(LocalDate dt) {
      this.dt = dt;
    }

    void from() {
      text.append(" FROM ");
      if (options.table() != null) {
        text.append(dialect.quoteQualified(options.table()));
        return;
      }
      Matcher m = NAMED_PARAMETER.matcher(options.query());
      StringBuilder q = new StringBuilder();
      while (m.find()) {
        params.add(m.group(1).equals("dt_start") ? dayStart(dt) : dayStart(dt.plusDays(1)));
        m.appendReplacement(q, "?");
      }
      m.appendTail(q);
      text.append("(").append(q).append(") AS fp_source");
    }

    /** The window's bounds; a row without a watermark is in no window. */
    void window(Window w) {
      String column = quote(watermarkColumn());
      text.append(" AND ").append(column).append(" IS NOT NULL");
      bound(column, " > ?", w.after());
      bound(column, " >= ?", w.from());
      bound(column, " <= ?", w.upTo());
    }

    private void bound(String column, String comparison, String value) {
      if (value != null) {
        text.append(" AND ").append(column).append(comparison);
        params.add(watermarkValue(value));
      }
    }

    PreparedStatement prepare(Connection c) throws SQLException {
      PreparedStatement ps = c.prepareStatement(text.toString(), ResultSet.TYPE_FORWARD_ONLY,
          ResultSet.CONCUR_READ_ONLY);
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      return ps;
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private String watermarkColumn() {
    return options.watermarkColumn();
  }

  private boolean isTimeWatermark() {
    return watermarkColumn() != null && List.of("timestamptz", "date").contains(options.column(watermarkColumn()).type());
  }

  /** A watermark string (from the checkpoint or a range) as the bind value of its column's type. */
  private Object watermarkValue(String text) {
    return switch (options.column(watermarkColumn()).type()) {
      case "timestamptz" -> OffsetDateTime.parse(text);
      case "date" -> LocalDate.parse(text.length() > 10 ? text.substring(0, 10) : text);
      default -> Long.parseLong(text);
    };
  }

  /** The plan query's max(watermark) as checkpoint text: ISO-8601 in UTC, a date, or a decimal number. */
  private String watermarkString(ResultSet rs, int col) throws SQLException {
    return switch (options.column(watermarkColumn()).type()) {
      case "timestamptz" -> {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        yield t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).toString();
      }
      case "date" -> {
        LocalDate d = rs.getObject(col, LocalDate.class);
        yield d == null ? null : d.toString();
      }
      default -> {
        long v = rs.getLong(col);
        yield rs.wasNull() ? null : Long.toString(v);
      }
    };
  }

  private static OffsetDateTime dayStart(LocalDate day) {
    return day.atStartOfDay().atOffset(ZoneOffset.UTC);
  }

  private Connection connect() {
    String[] login = login();
    Properties props = new Properties();
    props.setProperty("user", login[0]);
    props.setProperty("password", login[1]);
    dialect.connectionProperties(props, options.sourceId(), CONNECT_TIMEOUT_SECONDS);
    try {
      return DriverManager.getConnection(options.url(), props);
    } catch (SQLException e) {
      throw failure("connecting", e);
    }
  }

  /** {username, password} from the credentials secret; its value never reaches a message. */
  private String[] login() {
    String value = secrets.resolve(options.credentials());
    try {
      JsonNode json = Json.mapper().readTree(value);
      JsonNode user = json == null ? null : json.get("username");
      JsonNode password = json == null ? null : json.get("password");
      if (user != null && user.isTextual() && password != null && password.isTextual()) {
        return new String[] {user.asText(), password.asText()};
      }
    } catch (IOException e) {
      // falls through to the message below, which must not quote the parser's excerpt of the secret
    }
    throw new ConfigInvalid("sources[" + options.sourceId() + "].options.credentials: the secret "
        + options.credentials() + " must be JSON with string fields username and password");
  }

  /** The host:port of the URL, for messages (never user info). */
  String host() {
    Matcher m = HOST.matcher(options.url());
    return m.find() ? m.group(1) : options.url().replaceFirst("\\?.*", "");
  }

  private RuntimeException failure(String doing, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String at = "source " + options.sourceId() + " (" + host() + ")";
    if (state.startsWith("28")) {
      // A rotated password fails until the cached old one expires; the retry should read the new one.
      secrets.forget(options.credentials());
      return new SourceUnavailable(at + ": the database refused the login from secret " + options.credentials()
          + " (SQLState " + state + "); fix the secret or the role's grants", e);
    }
    if (state.startsWith("08") || hasCause(e, ConnectException.class)) {
      return new SourceUnavailable(at + ": cannot reach the database while " + doing + " (SQLState " + state
          + "); check that it is up and reachable from the function", e);
    }
    if (Dialect.missingTable(state)) {
      return new SchemaIncompatible(at + ": " + (options.table() != null ? "table " + options.table()
          : "the query's table or schema") + " does not exist (SQLState " + state + ")", e);
    }
    if (Dialect.missingColumn(state)) {
      return new SchemaIncompatible(at + ": " + missingColumns() + " (SQLState " + state + ")", e);
    }
    return new SourceUnavailable(at + ": " + doing + " failed with SQLState " + state + " ("
        + e.getClass().getSimpleName() + ")", e);
  }

  /** {@code SELECT *} of the relation returning no row: its result metadata lists every column. */
  private Sql noRows() {
    Sql sql = new Sql(LocalDate.EPOCH);
    sql.text.append("SELECT *");
    sql.from();
    sql.text.append(" WHERE 1 = 0");
    return sql;
  }

  /** Names the configured columns the relation lacks, by asking the database for its columns. */
  private String missingColumns() {
    List<String> wanted = new ArrayList<>();
    options.columns().forEach(c -> wanted.add(c.name()));
    if (watermarkColumn() != null && !wanted.contains(watermarkColumn())) {
      wanted.add(watermarkColumn());
    }
    Sql sql = noRows();
    try (Connection c = connect(); PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData meta = rs.getMetaData();
      TreeSet<String> present = new TreeSet<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        present.add(meta.getColumnLabel(i));
      }
      List<String> missing = wanted.stream().filter(w -> !present.contains(w)).sorted().toList();
      return (options.table() != null ? "table " + options.table() : "the query") + " has no column "
          + String.join(", ", missing);
    } catch (SQLException e) {
      return "a configured column does not exist";
    }
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  /** Quoting keeps the name's case and makes it a name, never SQL; the pattern check ran at load. */
  private String quote(String identifier) {
    return dialect.quote(identifier);
  }

  @Override
  public String toString() {
    return "JdbcConnector[" + options.sourceId() + " at " + host() + "]";
  }
}
