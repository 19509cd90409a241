package dev.featurepipe.extract.files;

import dev.featurepipe.extract.FieldTypes;
import dev.featurepipe.extract.ConnectorOptions;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.featurepipe.errors.ConfigInvalid;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The {@code options} of a {@code kind: s3_files} source, validated once: every rule broken is reported
 * together, one line each, as {@code sources[<id>].options.<field>: <rule>, got <value>}.
 *
 * <p>Objects live under {@code s3://<source bucket>/<prefix>dt=YYYY-MM-DD/}. {@code fields} is the
 * Bronze schema (field ids 1.. in list order); {@code key} names fields that, with the record's
 * position in its object, order Bronze rows totally.
 */
public record FilesSourceOptions(
    String sourceId,
    String prefix,
    String format,
    String compression,
    Csv csv,
    long splitBytes,
    List<Field> fields,
    List<String> key) {

  /** 256 MiB of text is a few seconds of parsing and well inside one Lambda's memory and time. */
  public static final long SPLIT_BYTES_DEFAULT = 256L << 20;

  /** Below 1 KiB, per-chunk overhead (a GET, a Bronze file) dwarfs the work; tests use 4 KiB. */
  static final long SPLIT_BYTES_MIN = 1024;

  static final List<String> FORMATS = List.of("csv", "jsonl", "parquet");

  static final List<String> COMPRESSIONS = List.of("none", "gzip");


  static final String TYPES = "string, int, long, double, boolean, date, timestamptz, decimal(p,s)";

  static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

  /** Iceberg decimals hold at most 38 digits. */

  /** Name of the Bronze column holding the record's position in its source object. */
  public static final String POSITION_COLUMN = "_source_position";

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  /**
   * CSV dialect. Quote and delimiter are single ASCII characters and the encoding must be
   * ASCII-compatible, because record boundaries are found on raw bytes before decoding.
   */
  public record Csv(String delimiter, String quote, boolean header, String encoding) {

    public static final Csv DEFAULT = new Csv(",", "\"", true, "UTF-8");

    public Charset charset() {
      return Charset.forName(encoding);
    }

    byte delimiterByte() {
      return (byte) delimiter.charAt(0);
    }

    byte quoteByte() {
      return (byte) quote.charAt(0);
    }
  }

  /** One Bronze column and where its value comes from. */
  public record Field(
      String name,
      String source,
      String type,
      boolean required,
      String timestampFormat,
      SortedMap<String, String> values,
      boolean evolved) {

    public Field {
      values = values == null ? null : new TreeMap<>(values);
    }

    /** The Iceberg type, or null when {@code type} names none (reported by the options' validation). */
    public Type icebergType() {
      return FieldTypes.icebergType(type);
    }

    /** The formatter for {@code timestamp_format}, in UTC; null when the field uses ISO-8601. */
    DateTimeFormatter formatter() {
      return timestampFormat == null
          ? null
          : DateTimeFormatter.ofPattern(timestampFormat, java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);
    }
  }

  private record RawCsv(
      @JsonProperty("delimiter") String delimiter,
      @JsonProperty("quote") String quote,
      @JsonProperty("header") Boolean header,
      @JsonProperty("encoding") String encoding) {}

  private record RawField(
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty("source") String source,
      @JsonProperty(value = "type", required = true) String type,
      @JsonProperty("required") Boolean required,
      @JsonProperty("timestamp_format") String timestampFormat,
      @JsonProperty("values") TreeMap<String, String> values,
      // Set by the schema registry, not written in configs: a column a later schema version added.
      @JsonProperty("evolved") Boolean evolved) {}

  private record Raw(
      @JsonProperty(value = "prefix", required = true) String prefix,
      @JsonProperty(value = "format", required = true) String format,
      @JsonProperty("compression") String compression,
      @JsonProperty("csv") RawCsv csv,
      @JsonProperty("split_bytes") Long splitBytes,
      @JsonProperty(value = "fields", required = true) List<RawField> fields,
      @JsonProperty("key") List<String> key) {}

  public FilesSourceOptions {
    fields = fields == null ? List.of() : List.copyOf(fields);
    key = key == null ? List.of() : List.copyOf(key);
    List<String> out = new ArrayList<>();
    String at = "sources[" + sourceId + "].options.";
    ConnectorOptions.checkPrefix(out, at, prefix);
    ConnectorOptions.checkOneOf(out, at + "format", FORMATS, format);
    ConnectorOptions.checkOneOf(out, at + "compression", COMPRESSIONS, compression);
    if ("parquet".equals(format) && "gzip".equals(compression)) {
      out.add(at + "compression: must be none for parquet (Parquet compresses its own pages), got gzip");
    }
    if (csv == null) {
      out.add(at + "csv: [BUG] must be defaulted before validation, got null");
    } else {
      if (csv.delimiter() == null || csv.delimiter().length() != 1 || csv.delimiter().charAt(0) > 0x7e
          || csv.delimiter().equals("\n") || csv.delimiter().equals("\r")) {
        out.add(at + "csv.delimiter: must be one ASCII character other than a newline, got " + csv.delimiter());
      }
      if (csv.quote() == null || csv.quote().length() != 1 || csv.quote().charAt(0) > 0x7e
          || csv.quote().equals(csv.delimiter())) {
        out.add(at + "csv.quote: must be one ASCII character other than the delimiter, got " + csv.quote());
      }
      if (!asciiCompatible(csv.encoding())) {
        out.add(at + "csv.encoding: must be an ASCII-compatible charset (UTF-8, ISO-8859-1, windows-1252, ...), got "
            + csv.encoding());
      }
    }
    if (splitBytes < SPLIT_BYTES_MIN) {
      out.add(at + "split_bytes: must be at least " + SPLIT_BYTES_MIN + ", got " + splitBytes);
    }
    if (fields.isEmpty()) {
      out.add(at + "fields: must list at least one field, got []");
    }
    TreeSet<String> names = new TreeSet<>();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      String fat = at + "fields[" + i + "].";
      if (f.name() == null || !NAME.matcher(f.name()).matches() || f.name().equals(POSITION_COLUMN)) {
        out.add(fat + "name: must match " + NAME.pattern() + " and not be " + POSITION_COLUMN + ", got " + f.name());
      } else if (!names.add(f.name())) {
        out.add(fat + "name: must be unique, got a second " + f.name());
      }
      if (f.icebergType() == null) {
        out.add(fat + "type: must be one of " + TYPES + " (1 <= p <= 38, s <= p), got " + f.type());
      }
      if ("csv".equals(format) && csv != null && !csv.header()
          && (f.source() == null || !f.source().matches("[0-9]{1,4}"))) {
        out.add(fat + "source: must be a 0-based column number when csv.header is false, got " + f.source());
      }
      if ("jsonl".equals(format) && f.source() != null && !f.source().startsWith("/")) {
        out.add(fat + "source: must be a JSON pointer starting with /, got " + f.source());
      }
      if (f.timestampFormat() != null) {
        if (!"timestamptz".equals(f.type()) && !"date".equals(f.type())) {
          out.add(fat + "timestamp_format: only applies to timestamptz and date fields, got a " + f.type() + " field");
        }
        try {
          f.formatter();
        } catch (IllegalArgumentException e) {
          out.add(fat + "timestamp_format: must be a java.time pattern (" + e.getMessage() + "), got "
              + f.timestampFormat());
        }
      }
      if (i > 0 && fields.get(i - 1).evolved() && !f.evolved()) {
        out.add(fat + "evolved: fields a later schema version added come after the config's, got "
            + fields.get(i - 1).name() + " before " + f.name());
      }
      if (f.values() != null && f.values().isEmpty()) {
        out.add(fat + "values: must map at least one source value when present, got {}");
      }
    }
    for (int i = 0; i < key.size(); i++) {
      if (!names.contains(key.get(i))) {
        out.add(at + "key[" + i + "]: must name a field in fields, got " + key.get(i));
      }
    }
    if (!out.isEmpty()) {
      throw new ConfigInvalid(String.join("\n", out));
    }
  }

  /** Binds and validates a source's {@code options} node. */
  public static FilesSourceOptions parse(String sourceId, JsonNode options) {
    Raw raw = ConnectorOptions.bind(STRICT, sourceId, "s3_files", options, Raw.class);
    RawCsv c = raw.csv();
    Csv csv = c == null
        ? Csv.DEFAULT
        : new Csv(
            c.delimiter() == null ? Csv.DEFAULT.delimiter() : c.delimiter(),
            c.quote() == null ? Csv.DEFAULT.quote() : c.quote(),
            c.header() == null ? Csv.DEFAULT.header() : c.header(),
            c.encoding() == null ? Csv.DEFAULT.encoding() : c.encoding());
    List<Field> fields = new ArrayList<>();
    if (raw.fields() != null) {
      for (RawField f : raw.fields()) {
        fields.add(new Field(f.name(), f.source(), f.type(), Boolean.TRUE.equals(f.required()), f.timestampFormat(),
            f.values(), Boolean.TRUE.equals(f.evolved())));
      }
    }
    return new FilesSourceOptions(sourceId, raw.prefix(), raw.format(),
        raw.compression() == null ? "none" : raw.compression(), csv,
        raw.splitBytes() == null ? SPLIT_BYTES_DEFAULT : raw.splitBytes(), fields, raw.key());
  }

  /** How many fields the config's schema version has: the position column follows them. */
  public int baselineFields() {
    return (int) fields.stream().filter(f -> !f.evolved()).count();
  }

  /** Where field {@code f} is read from: its {@code source}, or by default its name. */
  String sourceOf(Field f) {
    if (f.source() != null) {
      return f.source();
    }
    return "jsonl".equals(format) ? "/" + f.name() : f.name();
  }

  private static boolean asciiCompatible(String encoding) {
    if (encoding == null) {
      return false;
    }
    try {
      Charset cs = Charset.forName(encoding);
      // Bytes 0x00-0x7f must mean ASCII, so raw-byte newline, quote and delimiter searches stay right.
      byte[] probe = "\n\r\",;|\tAz09".getBytes(StandardCharsets.US_ASCII);
      return java.util.Arrays.equals(probe, "\n\r\",;|\tAz09".getBytes(cs)) && cs.newDecoder().maxCharsPerByte() == 1.0f;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
