package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * The connector benchmark's seeded e-commerce orders, and the shapes sources deliver them in: CSV
 * with a header, flat JSON Lines, AWS DMS change CSV, Debezium change envelopes and REST API pages.
 * One row generator feeds every shape, so the formats carry the same values and their rates compare.
 * Rows are generated part by part ({@code part} seeds its own {@link SplittableRandom}); part {@code
 * p} of {@code n} holds order ids {@code p * n + 1 .. (p + 1) * n}.
 */
final class ConnectorBenchData {

  private ConnectorBenchData() {}

  /** One column: its name, its type in pipeline.yaml, in DuckDB and in PostgreSQL. */
  record Column(String name, String type, String duckdb, String postgres, boolean required) {}

  static final List<Column> COLUMNS = List.of(
      new Column("order_id", "long", "BIGINT", "bigint PRIMARY KEY", true),
      new Column("user_id", "string", "VARCHAR", "text NOT NULL", true),
      new Column("product_id", "string", "VARCHAR", "text NOT NULL", true),
      new Column("category", "string", "VARCHAR", "text", false),
      new Column("price", "decimal(10,2)", "DECIMAL(10,2)", "numeric(10,2) NOT NULL", true),
      new Column("quantity", "int", "INTEGER", "integer NOT NULL", true),
      new Column("discount", "double", "DOUBLE", "double precision", false),
      new Column("ordered_at", "timestamptz", "TIMESTAMPTZ", "timestamptz NOT NULL", true),
      new Column("country", "string", "VARCHAR", "text", false),
      new Column("repeat_buyer", "boolean", "BOOLEAN", "boolean", false),
      new Column("coupon", "string", "VARCHAR", "text", false));

  /** A comma inside one category makes CSV writers quote it, as real exports do. */
  static final String[] CATEGORIES = {"electronics", "books", "Home, Garden", "toys", "fashion", "beauty", "sports",
      "grocery", "automotive", "music", "office", "pets"};

  static final String[] COUNTRIES = {"DE", "FR", "US", "GB", "JP", "BR", "IN", "ES", "IT", "NL"};

  /** One order; {@code coupon} and {@code discount} are often null, like optional columns in practice. */
  record Order(long id, String userId, String productId, String category, BigDecimal price, int quantity,
      Double discount, Instant orderedAt, String country, boolean repeatBuyer, String coupon) {}

  /** Part {@code part} of a dataset of parts of {@code rowsPerPart} rows for date {@code dt}. */
  static List<Order> part(long seed, LocalDate dt, int part, int rowsPerPart) {
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + part);
    long dayStartMicros = dt.atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    List<Order> out = new ArrayList<>(rowsPerPart);
    for (int i = 0; i < rowsPerPart; i++) {
      long id = (long) part * rowsPerPart + i + 1;
      out.add(new Order(
          id,
          String.format(Locale.ROOT, "user-%07d", rnd.nextInt(2_000_000)),
          String.format(Locale.ROOT, "prod-%06d", rnd.nextInt(100_000)),
          rnd.nextInt(20) == 0 ? null : CATEGORIES[rnd.nextInt(CATEGORIES.length)],
          BigDecimal.valueOf(99 + rnd.nextLong(99_900), 2),
          1 + rnd.nextInt(5),
          rnd.nextInt(3) == 0 ? rnd.nextInt(5_000) / 10_000.0 : null,
          Instant.EPOCH.plusNanos((dayStartMicros + rnd.nextLong(86_400_000_000L)) * 1_000L),
          rnd.nextInt(50) == 0 ? null : COUNTRIES[rnd.nextInt(COUNTRIES.length)],
          rnd.nextBoolean(),
          rnd.nextInt(5) == 0 ? String.format(Locale.ROOT, "SAVE%02d-%04X", rnd.nextInt(50), rnd.nextInt(65_536)) : null));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Encodings

  /** CSV with a header, RFC 4180 quoting where needed, empty cells for nulls, ISO-8601 UTC timestamps. */
  static byte[] csv(List<Order> orders) {
    StringBuilder b = new StringBuilder(orders.size() * 120);
    b.append(String.join(",", COLUMNS.stream().map(Column::name).toList())).append('\n');
    for (Order o : orders) {
      cells(b, o, "true", "false");
      b.append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * AWS DMS change CSV as written with {@code TimestampColumnName} replaced by a commit sequence:
   * {@code Op,seq,<columns>}, no header, PostgreSQL booleans as t/f. Ops: 60% I, 35% U, 5% D; a
   * delete carries its before image.
   */
  static byte[] dmsCsv(List<Order> orders, long firstSeq) {
    StringBuilder b = new StringBuilder(orders.size() * 125);
    long seq = firstSeq;
    for (Order o : orders) {
      b.append(dmsOp(o.id())).append(',').append(seq++).append(',');
      cells(b, o, "t", "f");
      b.append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String dmsOp(long id) {
    long r = Long.remainderUnsigned(id * 0x9E3779B97F4A7C15L, 100);
    return r < 60 ? "I" : r < 95 ? "U" : "D";
  }

  private static void cells(StringBuilder b, Order o, String yes, String no) {
    b.append(o.id()).append(',').append(o.userId()).append(',').append(o.productId()).append(',');
    if (o.category() != null) {
      b.append(o.category().contains(",") ? "\"" + o.category().replace("\"", "\"\"") + "\"" : o.category());
    }
    b.append(',').append(o.price().toPlainString()).append(',').append(o.quantity()).append(',');
    if (o.discount() != null) {
      b.append(o.discount());
    }
    b.append(',').append(DateTimeFormatter.ISO_INSTANT.format(o.orderedAt())).append(',');
    if (o.country() != null) {
      b.append(o.country());
    }
    b.append(',').append(o.repeatBuyer() ? yes : no).append(',');
    if (o.coupon() != null) {
      b.append(o.coupon());
    }
  }

  private static final JsonFactory JSON = new JsonFactory();

  /** Flat JSON Lines, money as a JSON number, timestamps as ISO-8601 UTC text, nulls as null. */
  static byte[] jsonLines(List<Order> orders) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(orders.size() * 230);
    try (JsonGenerator g = lines(out)) {
      for (Order o : orders) {
        g.writeStartObject();
        fields(g, o, false);
        g.writeEndObject();
      }
      g.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A generator that puts a newline, not Jackson's default space, between top-level values. */
  private static JsonGenerator lines(OutputStream out) throws IOException {
    JsonGenerator g = JSON.createGenerator(out);
    g.setRootValueSeparator(new SerializedString("\n"));
    return g;
  }

  /**
   * Debezium PostgreSQL change envelopes, one per line ({@code schemas.enable=false}): {@code c} 60%,
   * {@code u} 35%, {@code d} 5% (before image only), {@code source.lsn} rising, timestamps as
   * {@code ZonedTimestamp} text and decimals as strings ({@code decimal.handling.mode=string}).
   */
  static byte[] debezium(List<Order> orders, long firstLsn) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(orders.size() * 520);
    long lsn = firstLsn;
    try (JsonGenerator g = lines(out)) {
      for (Order o : orders) {
        String op = switch (dmsOp(o.id())) {
          case "I" -> "c";
          case "U" -> "u";
          default -> "d";
        };
        long tsMs = o.orderedAt().toEpochMilli();
        g.writeStartObject();
        g.writeFieldName("before");
        if (op.equals("d")) {
          g.writeStartObject();
          fields(g, o, true);
          g.writeEndObject();
        } else {
          g.writeNull();
        }
        g.writeFieldName("after");
        if (op.equals("d")) {
          g.writeNull();
        } else {
          g.writeStartObject();
          fields(g, o, true);
          g.writeEndObject();
        }
        g.writeObjectFieldStart("source");
        g.writeStringField("version", "2.7.3.Final");
        g.writeStringField("connector", "postgresql");
        g.writeStringField("name", "shop");
        g.writeNumberField("ts_ms", tsMs);
        g.writeStringField("snapshot", "false");
        g.writeStringField("db", "shop");
        g.writeStringField("sequence", "[null,\"" + lsn + "\"]");
        g.writeStringField("schema", "public");
        g.writeStringField("table", "orders");
        g.writeNumberField("txId", 700_000 + lsn / 7);
        g.writeNumberField("lsn", lsn);
        g.writeNullField("xmin");
        g.writeEndObject();
        g.writeStringField("op", op);
        g.writeNumberField("ts_ms", tsMs + 150);
        g.writeNullField("transaction");
        g.writeEndObject();
        lsn += 56 + (o.id() % 3) * 8;
      }
      g.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * One REST API page: {@code {"data": [...], "meta": {"next_cursor": ..}}}. Records nest the
   * customer, send money as a string with its currency, offset timestamps, and carry fields the
   * source does not keep ({@code status}, {@code currency}, {@code links}), as public APIs do.
   */
  static byte[] apiPage(List<Order> orders, String nextCursor) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(orders.size() * 400 + 100);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("data");
      for (Order o : orders) {
        g.writeStartObject();
        g.writeNumberField("order_id", o.id());
        g.writeObjectFieldStart("customer");
        g.writeStringField("id", o.userId());
        writeNullable(g, "country", o.country());
        g.writeBooleanField("repeat_buyer", o.repeatBuyer());
        g.writeEndObject();
        g.writeStringField("product_id", o.productId());
        writeNullable(g, "category", o.category());
        g.writeStringField("price", o.price().toPlainString());
        g.writeStringField("currency", "EUR");
        g.writeNumberField("quantity", o.quantity());
        if (o.discount() == null) {
          g.writeNullField("discount");
        } else {
          g.writeNumberField("discount", o.discount());
        }
        // Offsets vary, so the connector has to normalise to UTC rather than pass text through.
        g.writeStringField("ordered_at", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
            o.orderedAt().atOffset(ZoneOffset.ofHours((int) (o.id() % 5)))));
        writeNullable(g, "coupon", o.coupon());
        g.writeStringField("status", o.id() % 10 == 0 ? "refunded" : "paid");
        g.writeObjectFieldStart("links");
        g.writeStringField("self", "/v1/orders/" + o.id());
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("meta");
      writeNullable(g, "next_cursor", nextCursor);
      g.writeNumberField("count", orders.size());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void fields(JsonGenerator g, Order o, boolean decimalsAsText) throws IOException {
    g.writeNumberField("order_id", o.id());
    g.writeStringField("user_id", o.userId());
    g.writeStringField("product_id", o.productId());
    writeNullable(g, "category", o.category());
    if (decimalsAsText) {
      g.writeStringField("price", o.price().toPlainString());
    } else {
      g.writeNumberField("price", o.price());
    }
    g.writeNumberField("quantity", o.quantity());
    if (o.discount() == null) {
      g.writeNullField("discount");
    } else {
      g.writeNumberField("discount", o.discount());
    }
    g.writeStringField("ordered_at", DateTimeFormatter.ISO_INSTANT.format(o.orderedAt()));
    writeNullable(g, "country", o.country());
    g.writeBooleanField("repeat_buyer", o.repeatBuyer());
    writeNullable(g, "coupon", o.coupon());
  }

  private static void writeNullable(JsonGenerator g, String name, String value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, value);
    }
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out, 1 << 16)) {
      z.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
