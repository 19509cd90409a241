package dev.featurepipe.extract.cdc;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.SourceObjectCorrupt;
import dev.featurepipe.errors.SourceObjectMissing;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.extract.ClickstreamConnector;
import dev.featurepipe.extract.ConnectorContext;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.extract.SourceObjects;
import dev.featurepipe.extract.files.CsvLine;
import dev.featurepipe.extract.files.FieldValues;
import dev.featurepipe.lake.LakeStore;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipException;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Kind {@code cdc}: change files written by AWS DMS (CSV) or Debezium (JSON Lines envelopes) under
 * {@code s3://<source bucket>/<prefix>dt=YYYY-MM-DD/}, one chunk per object (gzip detected by magic
 * bytes).
 *
 * <p>Bronze is the change log: one row per change with {@code _op} (I, U or D; Debezium's {@code r}
 * snapshot read is an I), {@code _position} (the commit position), {@code _source_object} and
 * {@code _source_position} (object key and 1-based line where the change starts), then the table's
 * fields (a delete carries its before image). {@link #applyChanges} replays a day's change log into
 * the keyed snapshot.
 */
public final class CdcConnector implements SourceConnector {

  public static final String OP = "_op";
  public static final String POSITION = "_position";
  public static final String SOURCE_OBJECT = "_source_object";
  public static final String SOURCE_POSITION = "_source_position";

  /** Metadata columns take ids 1-4 so that appending a table column never renumbers a field. */
  static final int FIRST_FIELD_ID = 5;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  private final String sourceId;
  private final CdcSourceOptions options;
  private final S3Client s3;
  private final String bucket;
  private final Schema schema;
  private final Comparator<Record> order;
  private final int dmsColumns;
  private final List<FieldValues> values;
  private final FieldValues positionValues;
  private final EndOfDayState state;

  CdcConnector(String sourceId, CdcSourceOptions options, S3Client s3, String bucket) {
    this(sourceId, options, s3, bucket, null);
  }

  /** {@code lake}: where the end-of-day state is kept, or null for a connector that only parses. */
  CdcConnector(String sourceId, CdcSourceOptions options, S3Client s3, String bucket, LakeStore lake) {
    this.sourceId = sourceId;
    this.options = options;
    this.s3 = s3;
    this.bucket = bucket;
    this.schema = changeLogSchema(options);
    this.order = order(schema, options.key());
    this.dmsColumns = 1 + (options.positionColumn() != null ? 1 : 0) + options.fields().size();
    // Required is checked per change in emit: a delete's before image may lack non-key fields.
    this.values = options.fields().stream().map(f -> new FieldValues(f.name(), f.type(), false)).toList();
    this.positionValues = new FieldValues("dms_csv".equals(options.format()) ? options.positionColumn()
        : options.positionPointer(), options.positionType(), true);
    this.state = lake == null ? null : new EndOfDayState(sourceId, lake, schema, options.key());
  }

  public static CdcConnector create(SourceConfig source, ConnectorContext ctx) {
    return new CdcConnector(source.id(), CdcSourceOptions.parse(source.id(), source.options()), ctx.s3(),
        ctx.sourceBucket(), new LakeStore(ctx.s3(), ctx.lakeBucket()));
  }

  /** The Bronze schema of a source with these options: its change log. */
  public static Schema changeLogSchema(CdcSourceOptions options) {
    List<Types.NestedField> columns = new ArrayList<>();
    columns.add(required(1, OP, Types.StringType.get(), "I, U or D"));
    columns.add(required(2, POSITION, "string".equals(options.positionType()) ? Types.StringType.get()
        : Types.LongType.get(), "commit position of the change"));
    columns.add(required(3, SOURCE_OBJECT, Types.StringType.get(), "S3 key of the change file"));
    columns.add(required(4, SOURCE_POSITION, Types.LongType.get(), "1-based line where the change starts"));
    for (int i = 0; i < options.fields().size(); i++) {
      CdcSourceOptions.Field f = options.fields().get(i);
      // Only key fields are required in the schema: a Debezium delete's before image may hold only the key.
      columns.add(options.key().contains(f.name())
          ? required(FIRST_FIELD_ID + i, f.name(), f.icebergType())
          : optional(FIRST_FIELD_ID + i, f.name(), f.icebergType()));
    }
    return new Schema(columns);
  }

  /**
   * Position, then key fields, then source object and line: a total order, since an object's line
   * holds one change. Among changes to one key at one position, the later object key, then the later
   * line wins the replay: within a DMS or Debezium file, lines are in commit order.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Comparator<Record> order(Schema schema, List<String> key) {
    List<String> names = new ArrayList<>();
    names.add(POSITION);
    names.addAll(key);
    names.add(SOURCE_OBJECT);
    names.add(SOURCE_POSITION);
    Comparator<Record> c = null;
    for (String name : names) {
      Comparator<Record> next = Comparator.comparing(r -> (Comparable) r.getField(name));
      c = c == null ? next : c.thenComparing(next);
    }
    return c;
  }

  @Override
  public List<ExtractItem> plan(LocalDate dt) {
    String prefix = options.prefix() + "dt=" + dt + "/";
    List<ExtractItem> items = new ArrayList<>();
    for (SourceObjects.Listed l : SourceObjects.list(s3, sourceId, bucket, prefix)) {
      items.add(ExtractItem.object(sourceId, bucket, l.object().key(), l.chunkId(), l.object().size(),
          l.object().eTag()));
    }
    if (items.isEmpty() && options.expectChangesDaily()) {
      throw new SourceUnavailable("source " + sourceId + ": no objects under s3://" + bucket + "/" + prefix
          + "; the source has not delivered " + dt + " yet (expect_changes_daily is set)");
    }
    // The listing succeeded, so the source is reachable: no change files is a day without changes.
    return items;
  }

  /** Writes the end-of-day state: see {@link EndOfDayState}. */
  @Override
  public List<String> deriveFromSealed(String runId, LocalDate dt, String manifestKey) {
    return List.of(state.write(runId, dt, manifestKey));
  }

  @Override
  public boolean derivedStale(LocalDate dt) {
    return state.stale(dt);
  }

  @Override
  public Schema bronzeSchema() {
    return schema;
  }

  @Override
  public Comparator<Record> bronzeOrder() {
    return order;
  }

  @Override
  public void read(ExtractItem item, LocalDate dt, RowSink sink) {
    try (InputStream body = open(item)) {
      parse(ClickstreamConnector.decoded(body), item.key(), sink);
    } catch (ZipException | EOFException e) {
      throw new SourceObjectCorrupt("s3://" + item.bucket() + "/" + item.key() + " is not a complete gzip stream ("
          + e.getMessage() + "); re-deliver the object or remove it from the source", e);
    } catch (IOException e) {
      throw new SourceUnavailable("reading s3://" + item.bucket() + "/" + item.key() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Parses one decoded change file, streaming: only the current record is held, so a change file's
   * size is bounded by the Lambda's time, not its memory (DMS and Debezium roll files at tens of MiB
   * by default, but a full load or a misconfigured rollover can write gigabytes).
   */
  void parse(InputStream decoded, String objectKey, RowSink sink) throws IOException {
    Reader in = new InputStreamReader(decoded, StandardCharsets.UTF_8);
    boolean csv = "dms_csv".equals(options.format());
    char[] buffer = new char[1 << 16];
    StringBuilder record = new StringBuilder();
    long line = 1;
    long startLine = 1;
    boolean quoted = false;
    int n = 0;
    int i = 0;
    while (true) {
      if (i == n) {
        n = in.read(buffer);
        i = 0;
      }
      boolean eof = n < 0;
      char c = eof ? '\n' : buffer[i++];
      if (csv && !eof && c == '"') {
        quoted = !quoted; // a doubled quote flips twice, so parity tells whether a newline is inside a field
      }
      if (c != '\n' || (quoted && !eof)) {
        if (c == '\n') {
          line++;
        }
        record.append(c);
        continue;
      }
      int end = record.length();
      // At the end of the text an unclosed quote has swallowed the final newline: it is not data.
      while (end > 0 && (record.charAt(end - 1) == '\r' || (eof && record.charAt(end - 1) == '\n'))) {
        end--;
        if (!eof) {
          break;
        }
      }
      record.setLength(end);
      String text = record.toString();
      if (!text.isBlank()) {
        if (csv) {
          dmsRecord(text, objectKey, startLine, sink);
        } else {
          debeziumRecord(text, objectKey, startLine, sink);
        }
      }
      if (eof) {
        return;
      }
      record.setLength(0);
      quoted = false;
      line++;
      startLine = line;
    }
  }

  private void dmsRecord(String record, String objectKey, long lineNo, RowSink sink) {
    List<String> cells;
    try {
      cells = CsvLine.split(record, ',', '"');
    } catch (CsvLine.Malformed e) {
      sink.reject(lineNo, Rejection.of("malformed_csv", e.getMessage()), record);
      return;
    }
    if (cells.size() != dmsColumns) {
      sink.reject(lineNo, Rejection.of("column_count", "must have " + dmsColumns + " columns (Op, "
          + (options.positionColumn() != null ? options.positionColumn() + ", " : "") + "fields), got "
          + cells.size()), record);
      return;
    }
    String op = cells.get(0) == null ? "" : cells.get(0);
    if (!op.equals("I") && !op.equals("U") && !op.equals("D")) {
      sink.reject(lineNo, Rejection.of("unknown_op", "Op: must be one of I, U, D, got " + op), record);
      return;
    }
    int first = 1;
    Object position;
    if (options.positionColumn() != null) {
      first = 2;
      try {
        position = position(cells.get(1));
      } catch (FieldValues.Bad e) {
        sink.reject(lineNo, e.rejection(), record);
        return;
      }
    } else {
      // Object key and zero-padded line sort as text in delivery order: DMS names files by time.
      position = objectKey + "#" + String.format(java.util.Locale.ROOT, "%012d", lineNo);
    }
    List<Object> raw = new ArrayList<>(cells.subList(first, cells.size()));
    emit(op, position, raw, objectKey, lineNo, record, sink);
  }

  private void debeziumRecord(String record, String objectKey, long lineNo, RowSink sink) {
    JsonNode root;
    try {
      root = JSON.readTree(record);
    } catch (JsonProcessingException e) {
      sink.reject(lineNo, Rejection.of("malformed_json", "line: must be one JSON object, "
          + e.getOriginalMessage()), record);
      return;
    }
    if (root != null && root.isObject() && !root.has("op") && root.path("payload").isObject()) {
      root = root.get("payload"); // the converter's schemas.enable=true wraps the envelope
    }
    if (root == null || !root.isObject()) {
      sink.reject(lineNo, Rejection.of("malformed_json", "line: must be one JSON object"), record);
      return;
    }
    String dbOp = root.path("op").isTextual() ? root.get("op").textValue() : root.path("op").toString();
    String op = switch (dbOp) {
      case "c", "r" -> "I";
      case "u" -> "U";
      case "d" -> "D";
      default -> null;
    };
    if (op == null) {
      sink.reject(lineNo, Rejection.of("unknown_op", "op: must be one of c, u, d, r, got " + dbOp), record);
      return;
    }
    String imageName = op.equals("D") ? "before" : "after";
    JsonNode image = root.path(imageName);
    if (!image.isObject()) {
      sink.reject(lineNo, Rejection.of("missing_image", imageName + ": must be an object for op " + dbOp), record);
      return;
    }
    Object position;
    try {
      position = position(root.at(options.pointer()));
    } catch (FieldValues.Bad e) {
      sink.reject(lineNo, e.rejection(), record);
      return;
    }
    List<Object> raw = new ArrayList<>();
    for (CdcSourceOptions.Field f : options.fields()) {
      raw.add(image.path(f.name()));
    }
    emit(op, position, raw, objectKey, lineNo, record, sink);
  }

  private Object position(Object raw) throws FieldValues.Bad {
    Type type = schema.findField(POSITION).type();
    String name = "dms_csv".equals(options.format()) ? options.positionColumn() : options.positionPointer();
    try {
      return positionValues.convert(scalar(name, type, raw));
    } catch (FieldValues.Bad e) {
      throw new FieldValues.Bad("bad_position", name + ": must be " + FieldValues.describe(type, null));
    }
  }

  /**
   * A DMS cell or a Debezium JSON node as the plain value {@link FieldValues} converts, with the two
   * encodings' own conventions: DMS writes PostgreSQL booleans as t/f and MySQL ones as 1/0, and
   * Debezium's {@code io.debezium.time.Date} is days since the epoch.
   */
  private static Object scalar(String name, Type type, Object raw) throws FieldValues.Bad {
    if (raw instanceof JsonNode n) {
      if (n.isNull() || n.isMissingNode()) {
        return null;
      }
      if (n.isContainerNode()) {
        throw new FieldValues.Bad("bad_value", name + ": must be " + FieldValues.describe(type, null));
      }
      if (type.typeId() == Type.TypeID.DATE && n.canConvertToLong() && n.isIntegralNumber()
          && Math.abs(n.longValue()) <= MAX_EPOCH_DAY) {
        return LocalDate.ofEpochDay(n.longValue());
      }
      raw = n.isTextual() ? n.textValue() : n.isBoolean() ? (Object) n.booleanValue() : n.numberValue();
    }
    if (raw instanceof String s && type.typeId() == Type.TypeID.BOOLEAN) {
      switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "t", "1" -> raw = "true";
        case "f", "0" -> raw = "false";
        default -> { }
      }
    }
    return raw;
  }

  /** {@link LocalDate#ofEpochDay} accepts about +-365 billion days; beyond that a number is a bad date. */
  private static final long MAX_EPOCH_DAY = 365_000_000_000L;

  private void emit(String op, Object position, List<Object> raw, String objectKey, long lineNo, String record,
      RowSink sink) {
    GenericRecord row = GenericRecord.create(schema);
    row.set(0, op);
    row.set(1, position);
    row.set(2, objectKey);
    row.set(3, lineNo);
    for (int i = 0; i < options.fields().size(); i++) {
      CdcSourceOptions.Field f = options.fields().get(i);
      boolean isKey = options.key().contains(f.name());
      try {
        Object v = values.get(i).convert(scalar(f.name(), f.icebergType(), raw.get(i)));
        if (v == null && isKey) {
          sink.reject(lineNo, Rejection.of("missing_key", f.name() + ": key field is required for every change"),
              record);
          return;
        }
        if (v == null && f.required() && !op.equals("D")) {
          sink.reject(lineNo, Rejection.of("missing_field", f.name() + ": is required"), record);
          return;
        }
        row.set(FIRST_FIELD_ID - 1 + i, v);
      } catch (FieldValues.Bad e) {
        sink.reject(lineNo, e.rejection(), record);
        return;
      }
    }
    sink.row(row);
  }

  /** The snapshot schema of this source: {@code _position} of the last applied change, then the fields. */
  public Schema snapshotSchema() {
    return snapshotSchema(schema);
  }

  /** The end-of-day state's schema for a change log schema: its columns without the change's own. */
  public static Schema snapshotSchema(Schema changeLogSchema) {
    List<String> names = new ArrayList<>();
    for (Types.NestedField f : changeLogSchema.columns()) {
      if (!f.name().equals(OP) && !f.name().equals(SOURCE_OBJECT) && !f.name().equals(SOURCE_POSITION)) {
        names.add(f.name());
      }
    }
    return changeLogSchema.select(names);
  }

  /** {@link #applyChanges(List, List, Schema, List)} with this source's schema and key. */
  public List<Record> applyChanges(List<Record> previous, List<Record> changeLog) {
    return applyChanges(changeLog, previous, schema, options.key());
  }

  /**
   * Replays {@code changeLog} (rows of {@code changeLogSchema}, in any order) in {@link #order} onto
   * {@code previous} (rows of its snapshot schema, or empty): an I or U upserts its key, a D removes
   * it. A change at a lower position than the previous snapshot's row for its key is stale (a
   * re-delivered file) and skipped. Returns the snapshot rows sorted by key.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static List<Record> applyChanges(List<Record> changeLog, List<Record> previous, Schema changeLogSchema,
      List<String> key) {
    Schema out = snapshotSchema(changeLogSchema);
    Comparator<List<Object>> byKey = (a, b) -> {
      for (int i = 0; i < a.size(); i++) {
        int c = ((Comparable) a.get(i)).compareTo(b.get(i));
        if (c != 0) {
          return c;
        }
      }
      return 0;
    };
    TreeMap<List<Object>, Record> state = new TreeMap<>(byKey);
    for (Record r : previous) {
      Record copy = project(r, out);
      if (state.put(keyOf(copy, key), copy) != null) {
        throw new IllegalArgumentException("[BUG] previous snapshot holds key " + keyOf(copy, key) + " twice");
      }
    }
    List<Record> changes = new ArrayList<>(changeLog);
    changes.sort(order(changeLogSchema, key));
    TreeMap<List<Object>, Object> floor = new TreeMap<>(byKey);
    for (Map.Entry<List<Object>, Record> e : state.entrySet()) {
      floor.put(e.getKey(), e.getValue().getField(POSITION));
    }
    for (Record change : changes) {
      List<Object> k = keyOf(change, key);
      Object stale = floor.get(k);
      if (stale != null && ((Comparable) change.getField(POSITION)).compareTo(stale) < 0) {
        continue;
      }
      if ("D".equals(change.getField(OP))) {
        state.remove(k);
      } else {
        state.put(k, project(change, out));
      }
    }
    return List.copyOf(state.values());
  }

  private static List<Object> keyOf(Record r, List<String> key) {
    List<Object> k = new ArrayList<>(key.size());
    for (String name : key) {
      k.add(r.getField(name));
    }
    return k;
  }

  private static Record project(Record r, Schema out) {
    GenericRecord copy = GenericRecord.create(out);
    for (Types.NestedField f : out.columns()) {
      copy.setField(f.name(), r.getField(f.name()));
    }
    return copy;
  }

  private InputStream open(ExtractItem item) {
    try {
      return s3.getObject(b -> b.bucket(item.bucket()).key(item.key()));
    } catch (NoSuchKeyException e) {
      throw new SourceObjectMissing("source object s3://" + item.bucket() + "/" + item.key() + " (chunk "
          + item.chunkId() + ") does not exist; it was listed when the run was planned, so rerun the date to re-plan");
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new SourceObjectMissing("source bucket or object s3://" + item.bucket() + "/" + item.key()
            + " does not exist (HTTP 404)");
      }
      throw new SourceUnavailable("source s3://" + item.bucket() + "/" + item.key() + " answered HTTP "
          + e.statusCode() + " (" + e.awsErrorDetails().errorCode() + ")", e);
    } catch (SdkClientException e) {
      throw new SourceUnavailable("source s3://" + item.bucket() + " is unreachable: " + e.getMessage(), e);
    }
  }
}
