package dev.featurepipe.gold.internal;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.errors.SourceObjectCorrupt;
import dev.featurepipe.ops.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Reads a labels table (CSV or Parquet, whole, from bytes) into typed rows: entity keys converted to
 * each Silver entity column's type, the label time as an instant, the label. A row whose key or time
 * is missing or unreadable is rejected with a reason, never dropped; a table that lacks a named
 * column, or whose column types cannot hold what is asked, fails as a whole.
 */
public final class LabelReader {

  public static final String NULL_ENTITY = "null_entity";
  public static final String INVALID_ENTITY = "invalid_entity";
  public static final String NULL_LABEL_TIME = "null_label_time";
  public static final String INVALID_LABEL_TIME = "invalid_label_time";
  public static final String INVALID_LABEL = "invalid_label";

  /** A labels column holding the entity key of one or more groups, converted to their entity type. */
  public record KeyColumn(String name, Type type) {}

  /** One usable label row; {@code position} is its 1-based data row in the file (header not counted). */
  public record Row(Object[] keys, Instant time, Object label, long position) {}

  /** A rejected row: its position, why, and the raw values of the columns read, as JSON. */
  public record Reject(long position, String reason, String detail, String raw) {}

  /** {@code labelType}: the label column's Iceberg type in the output. */
  public record Result(Type labelType, List<Row> rows, List<Reject> rejects, long total) {}

  private LabelReader() {}

  public static Result read(byte[] bytes, String format, String where, List<KeyColumn> keys, String timeColumn,
      String labelColumn, String csvLabelType) {
    return format.equals("csv")
        ? csv(bytes, where, keys, timeColumn, labelColumn, csvLabelType)
        : parquet(bytes, where, keys, timeColumn, labelColumn);
  }

  private static Result csv(byte[] bytes, String where, List<KeyColumn> keys, String timeColumn, String labelColumn,
      String labelType) {
    CsvMapper mapper = new CsvMapper();
    mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
    int offset = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf
        ? 3 : 0; // a UTF-8 byte order mark (Excel writes one) is not part of the first column's name
    List<Row> rows = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    long position = 0;
    try (MappingIterator<String[]> it = mapper.readerFor(String[].class)
        .readValues(new String(bytes, offset, bytes.length - offset, StandardCharsets.UTF_8))) {
      if (!it.hasNext()) {
        throw new InvalidInput(where + ": empty CSV; expected a header row naming " + names(keys, timeColumn, labelColumn));
      }
      List<String> header = Arrays.asList(it.next());
      int[] keyAt = new int[keys.size()];
      for (int k = 0; k < keys.size(); k++) {
        keyAt[k] = column(header, keys.get(k).name(), where);
      }
      int timeAt = column(header, timeColumn, where);
      int labelAt = column(header, labelColumn, where);
      while (it.hasNext()) {
        String[] cells = it.next();
        position++;
        if (cells.length == 1 && cells[0].isEmpty()) {
          position--; // a blank line, such as a trailing one
          continue;
        }
        Object[] raw = new Object[keys.size()];
        for (int k = 0; k < keys.size(); k++) {
          raw[k] = cell(cells, keyAt[k]);
        }
        String time = cell(cells, timeAt);
        String label = cell(cells, labelAt);
        Object typed = null;
        String labelProblem = null;
        if (label != null) {
          try {
            typed = csvLabel(label, labelType);
          } catch (IllegalArgumentException e) {
            labelProblem = "label " + quote(label) + " is not a " + labelType;
          }
        }
        accept(keys, raw, time == null ? null : (Object) time, typed, labelProblem, position, timeColumn,
            labelColumn, rows, rejects);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidInput ii) {
        throw ii;
      }
      throw new SourceObjectCorrupt(where + ": not readable as CSV at data row " + (position + 1) + " ("
          + e.getMessage() + ")", e);
    }
    return new Result(csvType(labelType), rows, rejects, position);
  }

  private static Object csvLabel(String text, String type) {
    return switch (type) {
      case "string" -> text;
      case "long" -> Long.parseLong(text.strip());
      case "double" -> Double.parseDouble(text.strip());
      case "boolean" -> switch (text.strip().toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw new IllegalArgumentException("not a boolean");
      };
      default -> throw new IllegalStateException("[BUG] label type " + type + " passed validation");
    };
  }

  private static Type csvType(String type) {
    return switch (type) {
      case "string" -> Types.StringType.get();
      case "long" -> Types.LongType.get();
      case "double" -> Types.DoubleType.get();
      case "boolean" -> Types.BooleanType.get();
      default -> throw new IllegalStateException("[BUG] label type " + type + " passed validation");
    };
  }

  private static Result parquet(byte[] bytes, String where, List<KeyColumn> keys, String timeColumn,
      String labelColumn) {
    List<Row> rows = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    long position = 0;
    try (ParquetFileReader r = ParquetFileReader.open(new BytesInputFile(bytes), ParquetReadOptions.builder().build())) {
      MessageType file = r.getFooter().getFileMetaData().getSchema();
      List<String> columns = file.getFields().stream().map(org.apache.parquet.schema.Type::getName).toList();
      PrimitiveType[] keyTypes = new PrimitiveType[keys.size()];
      for (int k = 0; k < keys.size(); k++) {
        keyTypes[k] = primitive(file, columns, keys.get(k).name(), where);
      }
      PrimitiveType timeType = primitive(file, columns, timeColumn, where);
      checkTimeType(timeType, where);
      PrimitiveType labelType = primitive(file, columns, labelColumn, where);
      Type outLabel = icebergType(labelType, where);
      ColumnIOFactory io = new ColumnIOFactory();
      PageReadStore pages;
      while ((pages = r.readNextRowGroup()) != null) {
        RecordReader<Group> reader = io.getColumnIO(file).getRecordReader(pages, new GroupRecordConverter(file));
        for (long i = 0; i < pages.getRowCount(); i++) {
          Group g = reader.read();
          position++;
          Object[] raw = new Object[keys.size()];
          for (int k = 0; k < keys.size(); k++) {
            raw[k] = value(g, file.getFieldIndex(keys.get(k).name()), keyTypes[k]);
          }
          Object time = value(g, file.getFieldIndex(timeColumn), timeType);
          Object label = value(g, file.getFieldIndex(labelColumn), labelType);
          accept(keys, raw, time, label, null, position, timeColumn, labelColumn, rows, rejects);
        }
      }
      return new Result(outLabel, rows, rejects, position);
    } catch (InvalidInput e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SourceObjectCorrupt(where + ": not a readable Parquet file (" + e.getMessage() + ")", e);
    }
  }

  private static PrimitiveType primitive(MessageType file, List<String> columns, String name, String where) {
    if (!file.containsField(name)) {
      throw new InvalidInput(where + ": no column " + name + "; its columns are " + columns);
    }
    org.apache.parquet.schema.Type t = file.getType(name);
    if (!t.isPrimitive() || t.isRepetition(org.apache.parquet.schema.Type.Repetition.REPEATED)
        || t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT96) {
      throw new InvalidInput(where + ": column " + name + " must be a non-repeated primitive other than INT96, got " + t);
    }
    return t.asPrimitiveType();
  }

  private static void checkTimeType(PrimitiveType t, String where) {
    LogicalTypeAnnotation lt = t.getLogicalTypeAnnotation();
    if (lt instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
      if (!ts.isAdjustedToUTC()) {
        throw new InvalidInput(where + ": column " + t.getName() + " is a timestamp without time zone; write it"
            + " UTC-adjusted (pandas: a tz-aware column) or as ISO-8601 text with an offset, since guessing its"
            + " zone could leak up to a day of features");
      }
      return;
    }
    if (!(lt instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation)) {
      throw new InvalidInput(where + ": column " + t.getName() + " must be a UTC-adjusted timestamp or ISO-8601"
          + " text with an offset, got " + t);
    }
  }

  private static Type icebergType(PrimitiveType t, String where) {
    LogicalTypeAnnotation lt = t.getLogicalTypeAnnotation();
    if (lt instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
      return Types.DecimalType.of(d.getPrecision(), d.getScale());
    }
    return switch (t.getPrimitiveTypeName()) {
      case BOOLEAN -> Types.BooleanType.get();
      case INT32 -> lt instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation ? Types.DateType.get()
          : Types.IntegerType.get();
      case INT64 -> {
        if (lt instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
          yield ts.isAdjustedToUTC() ? Types.TimestampType.withZone() : Types.TimestampType.withoutZone();
        }
        yield Types.LongType.get();
      }
      case FLOAT -> Types.FloatType.get();
      case DOUBLE -> Types.DoubleType.get();
      case BINARY -> {
        if (lt instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
          yield Types.StringType.get();
        }
        throw new InvalidInput(where + ": label column " + t.getName() + " is binary without a string or"
            + " decimal annotation: " + t);
      }
      default -> throw new InvalidInput(where + ": label column " + t.getName() + " has an unsupported type " + t);
    };
  }

  private static Object value(Group g, int i, PrimitiveType t) {
    return dev.featurepipe.lake.ParquetValues.value(g, i, t);
  }


  /** Checks keys and time of one row; a usable row goes to {@code rows}, anything else to {@code rejects}. */
  private static void accept(List<KeyColumn> keys, Object[] raw, Object time, Object label, String labelProblem,
      long position, String timeColumn, String labelColumn, List<Row> rows, List<Reject> rejects) {
    // The raw values as JSON, made only for a rejected row (most rows are fine).
    Supplier<String> rawJson = () -> {
      Map<String, Object> raws = new LinkedHashMap<>();
      for (int k = 0; k < keys.size(); k++) {
        raws.put(keys.get(k).name(), text(raw[k]));
      }
      raws.put(timeColumn, text(time));
      raws.put(labelColumn, text(label));
      return Json.string(raws);
    };
    Object[] typed = new Object[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      KeyColumn key = keys.get(k);
      Object v = raw[k];
      if (v == null || (v instanceof String s && s.isBlank())) {
        rejects.add(new Reject(position, NULL_ENTITY, "column " + key.name() + " is empty", rawJson.get()));
        return;
      }
      try {
        typed[k] = entity(v, key.type());
      } catch (IllegalArgumentException e) {
        rejects.add(new Reject(position, INVALID_ENTITY, "column " + key.name() + ": " + quote(String.valueOf(v))
            + " is not a " + key.type() + " entity key", rawJson.get()));
        return;
      }
    }
    if (time == null || (time instanceof String s && s.isBlank())) {
      rejects.add(new Reject(position, NULL_LABEL_TIME, "column " + timeColumn + " is empty", rawJson.get()));
      return;
    }
    Instant at;
    if (time instanceof OffsetDateTime odt) {
      at = odt.toInstant();
    } else {
      try {
        at = parseTime((String) time);
      } catch (DateTimeParseException e) {
        rejects.add(new Reject(position, INVALID_LABEL_TIME, "column " + timeColumn + ": " + timeProblem((String) time),
            rawJson.get()));
        return;
      }
    }
    if (labelProblem != null) {
      rejects.add(new Reject(position, INVALID_LABEL, "column " + labelColumn + ": " + labelProblem,
          rawJson.get()));
      return;
    }
    rows.add(new Row(typed, at, label, position));
  }

  private static Object entity(Object v, Type type) {
    return switch (type.typeId()) {
      case STRING -> v instanceof String s ? s : String.valueOf(v);
      case LONG -> v instanceof Number n && !(v instanceof BigDecimal) ? (Object) n.longValue()
          : Long.parseLong(String.valueOf(v).strip());
      case INTEGER -> v instanceof Integer i ? i : Integer.parseInt(String.valueOf(v).strip());
      default -> throw new IllegalStateException("[BUG] entity type " + type + " passed the plan's check");
    };
  }

  /** ISO-8601 with an offset; a space may stand for the {@code T} (as SQL tools print timestamps). */
  public static Instant parseTime(String text) {
    String t = text.strip();
    if (t.length() > 10 && t.charAt(10) == ' ') {
      t = t.substring(0, 10) + 'T' + t.substring(11);
    }
    return OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
  }

  private static String timeProblem(String text) {
    String t = text.strip().replace(' ', 'T');
    try {
      LocalDateTime.parse(t);
      return quote(text) + " has no UTC offset; write it like 2026-03-05T13:00:00Z (a guessed zone could leak a day)";
    } catch (DateTimeParseException e) {
      // not a zoneless time either
    }
    try {
      LocalDate.parse(t);
      return quote(text) + " is a date without a time and offset; write it like 2026-03-05T00:00:00Z";
    } catch (DateTimeParseException e) {
      return quote(text) + " is not an ISO-8601 time with an offset like 2026-03-05T13:00:00Z";
    }
  }

  private static String text(Object v) {
    return v == null ? null : String.valueOf(v);
  }

  private static String quote(String s) {
    String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return "\"" + shown + "\"";
  }

  private static int column(List<String> header, String name, String where) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new InvalidInput(where + ": no column " + name + "; its header is " + header);
    }
    return i;
  }

  private static String cell(String[] cells, int i) {
    return i < cells.length && !cells[i].isEmpty() ? cells[i] : null;
  }

  private static List<String> names(List<KeyColumn> keys, String time, String label) {
    List<String> out = new ArrayList<>(keys.stream().map(KeyColumn::name).toList());
    out.add(time);
    out.add(label);
    return out;
  }
}
