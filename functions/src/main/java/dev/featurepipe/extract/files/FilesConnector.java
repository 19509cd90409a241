package dev.featurepipe.extract.files;

import dev.featurepipe.extract.ClickstreamConnector;
import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.PipelineException;
import dev.featurepipe.errors.SchemaIncompatible;
import dev.featurepipe.errors.SourceObjectCorrupt;
import dev.featurepipe.errors.SourceObjectMissing;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.extract.ConnectorContext;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.FieldShapes;
import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.extract.SourceObjects;
import dev.featurepipe.schema.ObservedSchema;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.ZipException;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Kind {@code s3_files}: CSV, JSON Lines or Parquet objects under {@code s3://<source
 * bucket>/<prefix>dt=YYYY-MM-DD/}, mapped field by field into Bronze rows as {@link
 * FilesSourceOptions} describes.
 *
 * <p>Large objects are split so no Lambda reads more than about {@code split_bytes}. A record
 * belongs to the chunk in which its first byte lies, and its Bronze {@code _source_position} is the
 * offset of that byte in the (decompressed) object, or its row index for Parquet, so positions are
 * the same however the object was split.
 * <ul>
 *   <li>JSON Lines: fixed byte ranges; JSON strings cannot hold a raw newline, so every newline is a
 *       record boundary and a reader finds its first record by skipping to the first newline at or
 *       after {@code start - 1}, and finishes its last record past {@code end}.
 *   <li>CSV: a quoted field may hold newlines, and whether a newline is inside quotes depends on
 *       every quote before it, so no reader can find a boundary from the middle of a file. Plan
 *       streams each large uncompressed CSV once, tracking quote parity (a doubled quote flips it
 *       twice), and cuts only at newlines outside quotes: every range is whole records, provably.
 *       The price is one sequential read of the object at plan time (no decoding, only byte
 *       compares); the alternative, each reader rescanning from byte 0, costs O(n²) over a file.
 *   <li>Gzip (by option or magic bytes): one chunk; deflate streams cannot be entered mid-way.
 *   <li>Parquet: groups of consecutive row groups up to {@code split_bytes} compressed, planned
 *       from the footer alone (ranged GETs).
 * </ul>
 */
public final class FilesConnector implements SourceConnector {

  /** Longer records are quarantined without being kept; 1 MiB is far beyond any sane CSV or JSON row. */
  static final int MAX_RECORD_BYTES = 1 << 20;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  private final String sourceId;
  private final FilesSourceOptions options;
  private final S3Client s3;
  private final String bucket;
  private final List<FieldValues> fields;
  private final Schema schema;
  private final Comparator<Record> order;
  /** Parquet schemas {@link #plan} read from footers, by key: observing the schema then reads no footer again. */
  private final java.util.Map<String, MessageType> footers = new java.util.concurrent.ConcurrentHashMap<>();
  /** Where the position column is: after the config's fields, before those a later schema version added. */
  private final int positionIndex;
  /** Copied per row: {@code GenericRecord.create} looks the schema up in a shared cache each call. */
  private final GenericRecord template;

  FilesConnector(String sourceId, FilesSourceOptions options, S3Client s3, String bucket) {
    this.sourceId = sourceId;
    this.options = options;
    this.s3 = s3;
    this.bucket = bucket;
    this.fields = options.fields().stream().map(FieldValues::new).toList();
    this.schema = bronzeSchema(options);
    this.positionIndex = options.baselineFields();
    this.order = order(options, positionIndex);
    this.template = GenericRecord.create(schema);
  }

  /**
   * The Bronze schema of a source with these options: the config's fields, the position column, then
   * any fields a later schema version added. Field ids are positions + 1 and never change: the
   * position column keeps its id when a version adds fields, since Parquet readers match by id.
   */
  public static Schema bronzeSchema(FilesSourceOptions options) {
    List<Types.NestedField> columns = new ArrayList<>();
    int positionIndex = options.baselineFields();
    for (int i = 0; i < options.fields().size(); i++) {
      if (i == positionIndex) {
        columns.add(position(positionIndex));
      }
      FilesSourceOptions.Field f = options.fields().get(i);
      int id = columns.size() + 1;
      columns.add(f.required()
          ? required(id, f.name(), f.icebergType())
          : optional(id, f.name(), f.icebergType()));
    }
    if (positionIndex == options.fields().size()) {
      columns.add(position(positionIndex));
    }
    return new Schema(columns);
  }

  private static Types.NestedField position(int index) {
    return required(index + 1, FilesSourceOptions.POSITION_COLUMN, Types.LongType.get(),
        "byte offset of the record in its (decompressed) source object, or Parquet row index");
  }

  public static FilesConnector create(SourceConfig source, ConnectorContext ctx) {
    return new FilesConnector(source.id(), FilesSourceOptions.parse(source.id(), source.options()), ctx.s3(),
        ctx.sourceBucket());
  }

  /** Key fields in order, nulls first, then the source position: a total order within a chunk. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Comparator<Record> order(FilesSourceOptions options, int positionIndex) {
    Comparator<Record> c = (a, b) -> 0;
    for (String k : options.key()) {
      int idx = options.fields().stream().map(FilesSourceOptions.Field::name).toList().indexOf(k);
      Comparator<Comparable> values = Comparator.nullsFirst(Comparator.naturalOrder());
      c = c.thenComparing(r -> (Comparable) r.get(idx), values);
    }
    return c.thenComparing(r -> r.get(positionIndex, Long.class));
  }

  public FilesSourceOptions options() {
    return options;
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
  public List<ExtractItem> plan(LocalDate dt) {
    String prefix = options.prefix() + "dt=" + dt + "/";
    List<ExtractItem> items = new ArrayList<>();
    List<ExtractItem> parquet = new ArrayList<>();
    for (SourceObjects.Listed l : SourceObjects.list(s3, sourceId, bucket, prefix)) {
      S3Object o = l.object();
      ExtractItem whole = ExtractItem.object(sourceId, bucket, o.key(), l.chunkId(), o.size(), o.eTag());
      if ("parquet".equals(options.format())) {
        parquet.add(whole); // row groups from the footers, read a few at a time below
      } else if (o.size() <= options.splitBytes() || isGzip(whole)) {
        items.add(whole);
      } else if ("csv".equals(options.format())) {
        items.addAll(byteRanges(whole, csvCuts(whole)));
      } else {
        List<Long> starts = new ArrayList<>();
        for (long s = 0; s < o.size(); s += options.splitBytes()) {
          starts.add(s);
        }
        items.addAll(byteRanges(whole, starts));
      }
    }
    eachObject(parquet, this::planParquet).forEach(items::addAll);
    if (items.isEmpty()) {
      throw new SourceUnavailable("source " + sourceId + ": no objects under s3://" + bucket + "/" + prefix
          + "; the source has not delivered " + dt + " yet");
    }
    items.sort(Comparator.comparing(ExtractItem::chunkId));
    return items;
  }

  /**
   * The columns of every planned object (a CSV header, a Parquet footer), read once per object:
   * the columns all of them have, in the first object's order; a column some lack is reported with
   * the first object lacking it. CSV cells are text, so a CSV column's type is whatever its field
   * says; JSON lines and header-less CSV carry no column names and are not observed.
   */
  @Override
  public java.util.Optional<ObservedSchema> observeSchema(List<ExtractItem> planned) {
    boolean csv = "csv".equals(options.format());
    if (!(csv && options.csv().header()) && !"parquet".equals(options.format())) {
      return java.util.Optional.empty();
    }
    java.util.LinkedHashMap<String, ExtractItem> objects = new java.util.LinkedHashMap<>();
    planned.stream().sorted(Comparator.comparing(ExtractItem::key)).forEach(i -> objects.putIfAbsent(i.key(), i));
    List<List<ObservedSchema.Column>> observed = observeEach(List.copyOf(objects.values()), csv);
    java.util.LinkedHashMap<String, ObservedSchema.Column> common = null;
    java.util.TreeMap<String, String> absentIn = new java.util.TreeMap<>();
    int index = 0;
    for (ExtractItem item : objects.values()) {
      List<ObservedSchema.Column> columns = observed.get(index++);
      if (columns == null) {
        continue; // an empty object (no header record): no columns to compare, and no rows either
      }
      java.util.LinkedHashMap<String, ObservedSchema.Column> byName = new java.util.LinkedHashMap<>();
      columns.forEach(c -> byName.putIfAbsent(c.name(), c));
      if (common == null) {
        common = byName;
        continue;
      }
      for (var it = common.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        ObservedSchema.Column here = byName.get(e.getKey());
        if (here == null) {
          absentIn.putIfAbsent(e.getKey(), "s3://" + item.bucket() + "/" + item.key());
          it.remove();
        } else if (Boolean.FALSE.equals(here.fits()) && !Boolean.FALSE.equals(e.getValue().fits())) {
          e.setValue(new ObservedSchema.Column(here.name(), here.nativeType() + " in s3://" + item.bucket() + "/"
              + item.key(), here.type(), here.nullable(), false));
        }
      }
    }
    if (common == null) {
      return java.util.Optional.empty();
    }
    String where = objects.size() == 1
        ? "s3://" + bucket + "/" + objects.keySet().iterator().next()
        : "the " + objects.size() + " " + options.format() + " objects under s3://" + bucket + "/"
            + objects.keySet().iterator().next().replaceFirst("[^/]*$", "");
    return java.util.Optional.of(new ObservedSchema(where, List.copyOf(common.values()), absentIn));
  }

  /** Each object's columns, in {@code objects}' order. */
  private List<List<ObservedSchema.Column>> observeEach(List<ExtractItem> objects, boolean csv) {
    return eachObject(objects, item -> csv ? firstRecord(item).map(this::csvColumns).orElse(null) : parquetColumns(item));
  }

  /**
   * {@code read} applied to each object, results in {@code objects}' order: a header or footer is
   * one or two small GETs, so a day of many objects is read by a few threads at once (waiting on S3,
   * not computing); the first failure, in that order, is thrown.
   */
  private <T> List<T> eachObject(List<ExtractItem> objects, java.util.function.Function<ExtractItem, T> read) {
    if (objects.size() <= 1) {
      return objects.stream().map(read).toList();
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
        Math.min(OBSERVE_THREADS, objects.size()));
    try {
      List<java.util.concurrent.Future<T>> futures = new ArrayList<>();
      for (ExtractItem item : objects) {
        futures.add(pool.submit(() -> read.apply(item)));
      }
      List<T> out = new ArrayList<>();
      for (var f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the objects' headers", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Objects whose header or footer is read at once while planning (row groups, schema). */
  private static final int OBSERVE_THREADS = 8;

  /** The field a source column feeds, or null. */
  private FilesSourceOptions.Field fieldFor(String sourceName) {
    for (FieldValues f : fields) {
      if (options.sourceOf(f.field()).equals(sourceName)) {
        return f.field();
      }
    }
    return null;
  }

  private List<ObservedSchema.Column> csvColumns(List<String> header) {
    List<ObservedSchema.Column> out = new ArrayList<>();
    for (String cell : header) {
      FilesSourceOptions.Field f = fieldFor(cell);
      // Text: any registered type is read from it value by value (a bad value is quarantined).
      out.add(new ObservedSchema.Column(f == null ? cell : f.name(), "CSV text", "string", true,
          f == null ? null : true));
    }
    return out;
  }

  private List<ObservedSchema.Column> parquetColumns(ExtractItem item) {
    MessageType file = footers.get(item.key());
    if (file == null) {
      try (ParquetFileReader r = ParquetFileReader.open(parquetFile(item), ParquetReadOptions.builder().build())) {
        file = r.getFooter().getFileMetaData().getSchema();
      } catch (IOException | RuntimeException e) {
        throw translate(item, e);
      }
    }
    List<ObservedSchema.Column> out = new ArrayList<>();
    for (Type t : file.getFields()) {
      FilesSourceOptions.Field f = fieldFor(t.getName());
      String type = parquetFieldType(t);
      String nativeType = t.toString().replaceAll("\\s+", " ").strip();
      out.add(new ObservedSchema.Column(f == null ? t.getName() : f.name(), nativeType, type,
          !t.isRepetition(Type.Repetition.REQUIRED), f == null ? null : fits(f.type(), type)));
    }
    return out;
  }

  /** The connector type a Parquet column is registered with; null when none holds it exactly. */
  static String parquetFieldType(Type t) {
    if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) {
      return null;
    }
    PrimitiveType p = t.asPrimitiveType();
    var logical = p.getLogicalTypeAnnotation();
    if (logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
      return d.getPrecision() <= dev.featurepipe.extract.FieldTypes.MAX_PRECISION
          ? "decimal(" + d.getPrecision() + "," + d.getScale() + ")" : null;
    }
    return switch (p.getPrimitiveTypeName()) {
      case BINARY -> logical == null
          || logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.StringLogicalTypeAnnotation
          || logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.EnumLogicalTypeAnnotation ? "string" : null;
      case INT32 -> logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.DateLogicalTypeAnnotation ? "date"
          : logical == null || logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation i
              && i.isSigned() ? "int" : null;
      case INT64 -> logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
          ? "timestamptz"
          : logical == null || logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation i
              && i.isSigned() ? "long" : null;
      case FLOAT, DOUBLE -> "double";
      case BOOLEAN -> "boolean";
      default -> null; // INT96, FIXED_LEN_BYTE_ARRAY without a decimal
    };
  }

  /** Whether every value of a column of connector type {@code observed} fills {@code declared} exactly. */
  static boolean fits(String declared, String observed) {
    if (observed == null) {
      return false;
    }
    if (declared.equals(observed)) {
      return true;
    }
    java.util.regex.Matcher d = dev.featurepipe.extract.FieldTypes.DECIMAL.matcher(declared);
    java.util.regex.Matcher o = dev.featurepipe.extract.FieldTypes.DECIMAL.matcher(observed);
    if (d.matches() && o.matches()) {
      return d.group(2).equals(o.group(2)) && Integer.parseInt(o.group(1)) <= Integer.parseInt(d.group(1));
    }
    return declared.equals("long") && observed.equals("int") || declared.equals("double") && observed.equals("int");
  }

  private List<ExtractItem> byteRanges(ExtractItem whole, List<Long> starts) {
    List<ExtractItem> out = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      long s = starts.get(i);
      long e = i + 1 < starts.size() ? starts.get(i + 1) : whole.size();
      ObjectNode range = JsonNodeFactory.instance.objectNode().put("start", s).put("end", e);
      // 13 digits hold any S3 object size (at most 5 TiB), so chunk ids sort in byte order.
      String id = whole.chunkId() + "-b" + String.format(java.util.Locale.ROOT, "%013d", s);
      out.add(new ExtractItem(sourceId, id, whole.bucket(), whole.key(), whole.size(),
          whole.etag(), range));
    }
    return out;
  }

  private boolean isGzip(ExtractItem item) {
    if ("gzip".equals(options.compression())) {
      return true;
    }
    try (ResponseInputStream<GetObjectResponse> in = get(item, "bytes=0-1")) {
      byte[] magic = in.readNBytes(2);
      return magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
    } catch (IOException e) {
      throw unavailable(item, e);
    }
  }

  /** Starts of CSV chunks: newlines outside quotes at least split_bytes apart (see class comment). */
  private List<Long> csvCuts(ExtractItem item) {
    byte quote = options.csv().quoteByte();
    long split = options.splitBytes();
    List<Long> starts = new ArrayList<>(List.of(0L));
    try (ResponseInputStream<GetObjectResponse> in = get(item, null)) {
      byte[] buf = new byte[1 << 20];
      long pos = 0;
      long chunkStart = 0;
      boolean inQuotes = false;
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          byte b = buf[i];
          if (b == quote) {
            inQuotes = !inQuotes;
          } else if (b == '\n' && !inQuotes) {
            long next = pos + i + 1;
            if (next - chunkStart >= split && next < item.size()) {
              starts.add(next);
              chunkStart = next;
            }
          }
        }
        pos += n;
      }
    } catch (IOException e) {
      throw unavailable(item, e);
    }
    return starts;
  }

  private List<ExtractItem> planParquet(ExtractItem whole) {
    List<BlockMetaData> groups;
    try (ParquetFileReader r = ParquetFileReader.open(parquetFile(whole), ParquetReadOptions.builder().build())) {
      groups = r.getRowGroups();
      footers.put(whole.key(), r.getFooter().getFileMetaData().getSchema());
    } catch (IOException | RuntimeException e) {
      throw translate(whole, e);
    }
    List<ExtractItem> out = new ArrayList<>();
    int i = 0;
    while (i < groups.size()) {
      int j = i;
      long bytes = 0;
      do {
        bytes += groups.get(j).getCompressedSize();
        j++;
      } while (j < groups.size() && bytes + groups.get(j).getCompressedSize() <= options.splitBytes());
      ObjectNode range = JsonNodeFactory.instance.objectNode();
      range.putArray("row_groups").add(i).add(j);
      out.add(new ExtractItem(sourceId, whole.chunkId() + "-rg" + i, whole.bucket(), whole.key(), whole.size(),
          whole.etag(), range));
      i = j;
    }
    if (out.size() <= 1) {
      return List.of(whole);
    }
    return out;
  }


  @Override
  public void read(ExtractItem item, LocalDate dt, RowSink sink) {
    if ("parquet".equals(options.format())) {
      readParquet(item, sink);
      return;
    }
    boolean csv = "csv".equals(options.format());
    JsonNode range = item.range();
    long start = range == null ? 0 : range.get("start").asLong();
    long end = range == null ? Long.MAX_VALUE : range.get("end").asLong();
    List<String> header = csv && options.csv().header() && start > 0 ? readHeader(item) : null;
    Records.Sink records = csv ? new CsvSink(item, sink, header) : new JsonSink(sink);
    String getRange;
    if (range == null) {
      getRange = null;
    } else if (csv) {
      getRange = "bytes=" + start + "-" + (end - 1); // plan cut at record boundaries: read exactly
    } else {
      getRange = start == 0 ? "bytes=0-" : "bytes=" + (start - 1) + "-"; // open-ended: the last line runs past end
    }
    try (ResponseInputStream<GetObjectResponse> body = get(item, getRange)) {
      try {
        InputStream in = range == null ? ClickstreamConnector.decoded(body) : new BufferedInputStream(body, 1 << 16);
        long base = start;
        if (!csv && start > 0) {
          base = skipToLineStart(in, start - 1);
          if (base < 0) {
            return; // no newline after start - 1: the range holds only the tail of the previous line
          }
        }
        Records.forEach(in, base, end, csv ? options.csv().quoteByte() : -1, MAX_RECORD_BYTES, records);
        if (records instanceof JsonSink json) {
          json.shapes.check("source " + sourceId + ": the JSON lines of s3://" + item.bucket() + "/" + item.key()
              + " (chunk " + item.chunkId() + ")", sourceId);
        }
      } finally {
        body.abort(); // when stopped at end, drop the connection instead of draining the object's rest
      }
    } catch (ZipException | EOFException e) {
      throw new SourceObjectCorrupt("s3://" + item.bucket() + "/" + item.key() + " is not a complete gzip stream ("
          + e.getMessage() + "); re-deliver the object or remove it from the source", e);
    } catch (IOException e) {
      throw unavailable(item, e);
    }
  }

  /** Consumes through the first newline; returns the object offset after it, or -1 at end of stream. */
  private static long skipToLineStart(InputStream in, long offset) throws IOException {
    long pos = offset;
    int b;
    while ((b = in.read()) >= 0) {
      pos++;
      if (b == '\n') {
        return pos;
      }
    }
    return -1;
  }

  /** The header of an object whose chunk does not start at byte 0: its first record. */
  private List<String> readHeader(ExtractItem item) {
    return firstRecord(item).orElseThrow(() ->
        new SchemaIncompatible("s3://" + item.bucket() + "/" + item.key() + ": CSV has no header record"));
  }

  /** An object's first record as header names; empty for an object without any (an empty export). */
  private java.util.Optional<List<String>> firstRecord(ExtractItem item) {
    if (item.size() == 0) {
      return java.util.Optional.empty(); // S3 answers a range of an empty object with 416
    }
    List<List<String>> found = new ArrayList<>();
    try (ResponseInputStream<GetObjectResponse> body = get(item, "bytes=0-")) {
      try {
        Records.forEach(ClickstreamConnector.decoded(body), 0, 1, options.csv().quoteByte(), MAX_RECORD_BYTES,
            new Records.Sink() {
              @Override
              public void record(byte[] buf, int off, int len, long offset) {
                found.add(headerNames(item, new String(buf, off, len, options.csv().charset())));
              }

              @Override
              public void tooLong(long offset, long length) {
                throw new SchemaIncompatible("s3://" + item.bucket() + "/" + item.key() + ": CSV header has "
                    + length + " bytes, more than " + MAX_RECORD_BYTES);
              }
            });
      } finally {
        body.abort();
      }
    } catch (IOException e) {
      throw unavailable(item, e);
    }
    return found.stream().findFirst();
  }

  private List<String> headerNames(ExtractItem item, String text) {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // a byte-order mark some exporters (Excel) put before the header
    }
    try {
      return CsvLine.split(text, options.csv().delimiter().charAt(0), options.csv().quote().charAt(0)).stream()
          .map(s -> s == null ? "" : s.strip())
          .toList();
    } catch (CsvLine.Malformed e) {
      throw new SchemaIncompatible("s3://" + item.bucket() + "/" + item.key() + ": CSV header is malformed ("
          + e.getMessage() + ")");
    }
  }

  private final class CsvSink implements Records.Sink {
    private final ExtractItem item;
    private final RowSink sink;
    private final CharsetDecoder decoder;
    private final Charset charset;
    private int[] columns; // index of each field's cell; null until the header is known
    private int headerSize = -1;

    CsvSink(ExtractItem item, RowSink sink, List<String> header) {
      this.item = item;
      this.sink = sink;
      this.charset = options.csv().charset();
      this.decoder = charset.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      if (header != null) {
        resolve(header);
      } else if (!options.csv().header()) {
        columns = fields.stream().mapToInt(f -> Integer.parseInt(options.sourceOf(f.field()))).toArray();
      }
    }

    private void resolve(List<String> header) {
      headerSize = header.size();
      columns = new int[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        String src = options.sourceOf(fields.get(i).field());
        columns[i] = header.indexOf(src);
        if (columns[i] < 0) {
          throw new SchemaIncompatible("s3://" + item.bucket() + "/" + item.key() + ": CSV header has no column "
              + src + " (sources[" + sourceId + "].options.fields[" + i + "]); the header is " + header);
        }
      }
    }

    @Override
    public void record(byte[] buf, int off, int len, long offset) {
      if (ClickstreamConnector.isBlank(buf, off, len)) {
        return; // a blank line is not a record (trailing newlines)
      }
      String text;
      try {
        text = decoder.decode(ByteBuffer.wrap(buf, off, len)).toString();
      } catch (CharacterCodingException e) {
        sink.reject(offset, Rejection.of("bad_encoding", "record is not valid " + charset.name()),
            new String(buf, off, len, charset));
        return;
      }
      if (columns == null) {
        resolve(headerNames(item, text));
        return;
      }
      List<String> cells;
      try {
        cells = CsvLine.split(text, options.csv().delimiter().charAt(0), options.csv().quote().charAt(0));
      } catch (CsvLine.Malformed e) {
        sink.reject(offset, Rejection.of("csv_malformed", e.getMessage()), text);
        return;
      }
      if (headerSize >= 0 && cells.size() != headerSize) {
        sink.reject(offset, Rejection.of("field_count",
            "record has " + cells.size() + " fields, the header has " + headerSize), text);
        return;
      }
      Object[] values = new Object[fields.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = columns[i] < cells.size() ? cells.get(columns[i]) : null;
      }
      emit(values, offset, text, sink);
    }

    @Override
    public void tooLong(long offset, long length) {
      sink.reject(offset, Rejection.of("record_too_long",
          "record has " + length + " bytes, more than " + MAX_RECORD_BYTES), null);
    }
  }

  private final class JsonSink implements Records.Sink {
    private final RowSink sink;
    final FieldShapes shapes = new FieldShapes(fields.stream().map(f -> new FieldShapes.Field(f.field().name(),
        f.field().type(), f.field().required(), "at " + options.sourceOf(f.field()))).toList());

    JsonSink(RowSink sink) {
      this.sink = sink;
    }

    @Override
    public void record(byte[] buf, int off, int len, long offset) {
      if (ClickstreamConnector.isBlank(buf, off, len)) {
        return;
      }
      String text = new String(buf, off, len, StandardCharsets.UTF_8);
      JsonNode node;
      try {
        node = JSON.readTree(buf, off, len);
      } catch (JsonProcessingException e) {
        sink.reject(offset, Rejection.of("json_malformed",
            "line is not valid JSON at column " + e.getLocation().getColumnNr()), text);
        return;
      } catch (IOException e) {
        throw new IllegalStateException("[BUG] reading JSON from a byte array failed", e);
      }
      if (node == null || !node.isObject()) {
        sink.reject(offset, Rejection.of("json_malformed", "line is not a JSON object"), text);
        return;
      }
      Object[] values = new Object[fields.size()];
      shapes.record();
      for (int i = 0; i < values.length; i++) {
        JsonNode v = node.at(options.sourceOf(fields.get(i).field()));
        if (v.isMissingNode()) {
          shapes.absent(i);
        }
        if (v.isMissingNode() || v.isNull()) {
          values[i] = null;
        } else if (v.isTextual()) {
          values[i] = v.textValue();
        } else if (v.isNumber()) {
          values[i] = v.numberValue();
        } else if (v.isBoolean()) {
          values[i] = v.booleanValue();
        } else {
          sink.reject(offset, Rejection.of("bad_value", fields.get(i).field().name()
              + ": must be a JSON scalar, not an object or array"), text);
          return;
        }
      }
      emit(values, offset, text, sink, shapes);
    }

    @Override
    public void tooLong(long offset, long length) {
      sink.reject(offset, Rejection.of("record_too_long",
          "record has " + length + " bytes, more than " + MAX_RECORD_BYTES), null);
    }
  }

  /** Converts every value; the first bad one rejects the record. */
  private void emit(Object[] raw, long position, String text, RowSink sink) {
    emit(raw, position, text, sink, null);
  }

  /**
   * With {@code shapes} (JSON lines), every field is converted even after one rejected the record,
   * and counted, so a field retyped in every record shows as a schema change, not as bad records.
   */
  private void emit(Object[] raw, long position, String text, RowSink sink, FieldShapes shapes) {
    GenericRecord r = template.copy();
    FieldValues.Bad first = null;
    for (int i = 0; i < raw.length; i++) {
      try {
        r.set(i < positionIndex ? i : i + 1, fields.get(i).convert(raw[i]));
        if (shapes != null && raw[i] != null) {
          shapes.converted(i);
        }
      } catch (FieldValues.Bad e) {
        first = first == null ? e : first;
        if (shapes == null) {
          break;
        }
        if (raw[i] != null) {
          shapes.unconvertible(i, raw[i] instanceof String ? "a JSON string" : raw[i] instanceof Boolean
              ? "a JSON boolean" : "a JSON number");
        }
      }
    }
    if (first != null) {
      sink.reject(position, first.rejection, text);
      return;
    }
    r.set(positionIndex, position);
    sink.row(r);
  }


  private void readParquet(ExtractItem item, RowSink sink) {
    try (ParquetFileReader r = ParquetFileReader.open(parquetFile(item), ParquetReadOptions.builder().build())) {
      MessageType file = r.getFooter().getFileMetaData().getSchema();
      List<Type> selected = new ArrayList<>();
      for (int i = 0; i < fields.size(); i++) {
        String src = options.sourceOf(fields.get(i).field());
        if (!file.containsField(src)) {
          throw new SchemaIncompatible("s3://" + item.bucket() + "/" + item.key() + ": Parquet file has no column "
              + src + " (sources[" + sourceId + "].options.fields[" + i + "]); its columns are "
              + file.getFields().stream().map(Type::getName).toList());
        }
        Type t = file.getType(src);
        if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)
            || t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT96) {
          throw new SchemaIncompatible("s3://" + item.bucket() + "/" + item.key() + ": Parquet column " + src
              + " must be a non-repeated primitive other than INT96, got " + t);
        }
        if (!selected.contains(t)) {
          selected.add(t);
        }
      }
      // Keep the file's column order so the projection is a valid subset schema.
      selected.sort(Comparator.comparingInt(t -> file.getFieldIndex(t.getName())));
      MessageType projection = new MessageType(file.getName(), selected);
      r.setRequestedSchema(projection);
      List<BlockMetaData> groups = r.getRowGroups();
      int from = 0;
      int to = groups.size();
      if (item.range() != null) {
        from = item.range().get("row_groups").get(0).asInt();
        to = item.range().get("row_groups").get(1).asInt();
      }
      long row = 0;
      for (int g = 0; g < from; g++) {
        row += groups.get(g).getRowCount();
        r.skipNextRowGroup();
      }
      int[] index = new int[fields.size()];
      for (int i = 0; i < index.length; i++) {
        index[i] = projection.getFieldIndex(options.sourceOf(fields.get(i).field()));
      }
      ColumnIOFactory io = new ColumnIOFactory();
      for (int g = from; g < to; g++) {
        PageReadStore pages = r.readNextRowGroup();
        RecordReader<Group> rows = io.getColumnIO(projection, file).getRecordReader(pages,
            new GroupRecordConverter(projection));
        for (long k = 0; k < pages.getRowCount(); k++) {
          Group grp = rows.read();
          Object[] values = new Object[index.length];
          for (int i = 0; i < index.length; i++) {
            values[i] = parquetValue(grp, index[i], projection.getType(index[i]).asPrimitiveType());
          }
          emit(values, row++, null, sink);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw translate(item, e);
    }
  }

  /**
   * A cell as this connector keeps it: {@link dev.featurepipe.lake.ParquetValues#value} with floats widened to double and
   * a timestamp without a zone read as UTC.
   */
  private static Object parquetValue(Group g, int i, PrimitiveType t) {
    Object v = dev.featurepipe.lake.ParquetValues.value(g, i, t);
    if (v instanceof Float f) {
      return (double) f;
    }
    return v instanceof java.time.LocalDateTime local ? local.atOffset(ZoneOffset.UTC) : v;
  }


  private S3InputFile parquetFile(ExtractItem item) {
    return new S3InputFile(s3, item.bucket(), item.key(), item.size());
  }


  private ResponseInputStream<GetObjectResponse> get(ExtractItem item, String range) {
    try {
      return s3.getObject(GetObjectRequest.builder().bucket(item.bucket()).key(item.key()).range(range).build());
    } catch (RuntimeException e) {
      throw translate(item, e);
    }
  }

  private PipelineException translate(ExtractItem item, Exception e) {
    String at = "s3://" + item.bucket() + "/" + item.key();
    return switch (e) {
      case PipelineException p -> p;
      case NoSuchKeyException n -> new SourceObjectMissing("source object " + at + " (chunk " + item.chunkId()
          + ") does not exist; it was listed when the run was planned, so rerun the date to re-plan", n);
      case S3Exception s when s.statusCode() == 404 -> new SourceObjectMissing(
          "source bucket or object " + at + " does not exist (HTTP 404)", s);
      case S3Exception s when s.statusCode() == 416 -> new SourceObjectMissing("source object " + at
          + " is shorter than when it was planned (HTTP 416 for a planned range); rerun the date to re-plan", s);
      case S3Exception s -> new SourceUnavailable("source " + at + " answered HTTP " + s.statusCode() + " ("
          + (s.awsErrorDetails() == null ? "no error code" : s.awsErrorDetails().errorCode()) + ")", s);
      case SdkClientException c -> new SourceUnavailable("source s3://" + item.bucket() + " is unreachable: "
          + c.getMessage(), c);
      case IOException io when io.getCause() instanceof SdkClientException c -> new SourceUnavailable(
          "source s3://" + item.bucket() + " is unreachable: " + c.getMessage(), io);
      default -> new SourceObjectCorrupt(at + " is not a readable Parquet file (" + e.getMessage()
          + "); re-deliver the object or remove it from the source", e);
    };
  }

  private SourceUnavailable unavailable(ExtractItem item, IOException e) {
    return new SourceUnavailable("reading s3://" + item.bucket() + "/" + item.key() + " failed: " + e.getMessage(), e);
  }
}
