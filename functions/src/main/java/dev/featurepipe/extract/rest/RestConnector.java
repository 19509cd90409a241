package dev.featurepipe.extract.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.SourceObjectCorrupt;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.extract.ConnectorContext;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.FieldShapes;
import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.ops.Json;
import dev.featurepipe.ops.Log;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * A paginated JSON REST API ({@code kind: rest}): one chunk per date ({@code api-<dt>}) or, when the
 * options list {@code partitions}, one per partition ({@code api-<partition>}).
 *
 * <p><b>Exactly once across crashes.</b> Bronze rows reach S3 only when {@link #read} returns (the
 * {@code BronzeChunkWriter} writes what it was given), but an API cursor must be saved page by page so
 * a crashed extract need not start over. So each fetched page's raw body is first spooled to {@code
 * s3://<lake bucket>/runs/api-spool/<sourceId>/dt=<dt>/<chunkId>/page-<nnnnn>.json}, then
 * the checkpoint (pages spooled, next request URL) is saved in the control table, and only then are
 * the page's records sent to the sink. A resumed {@code read} replays the spooled pages in page order
 * from S3, then fetches from the checkpointed URL. Since a retried read emits the whole chunk from
 * the start (spool, then API) and the writer keeps only the last complete read, every record lands in
 * Bronze exactly once. Once the last page is emitted the checkpoint is deleted, then the spool: a
 * crash between the two leaves spool objects that the next read of the chunk overwrites. The date is
 * part of the checkpoint and spool keys because partition chunk ids repeat every day.
 *
 * <p><b>Retries.</b> 429 waits for {@code Retry-After} (seconds or an HTTP date), capped at {@code
 * max_backoff_seconds}; 5xx, timeouts and connection errors wait a full-jitter exponential backoff
 * (uniform in [0, min(cap, 1 s * 2^attempt)], AWS Architecture Blog "Exponential Backoff And
 * Jitter"), its {@code Random} seeded from source id, chunk id and attempt so runs replay. After
 * {@code max_retries} retries, or at once on 401/403, {@code SourceUnavailable}. The secret is sent
 * only in a header and never appears in messages; URLs in messages lose their query string.
 */
public final class RestConnector implements SourceConnector {

  /** Pauses between attempts; tests pass one that records the request and returns at once. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** Where spooled pages live in the source bucket, away from any source prefix. */
  public static final String SPOOL_PREFIX = "runs/api-spool/";

  /** The workflow step that reads chunks, for log lines. */
  private static final String STEP = "Extract";

  /** First backoff ceiling; doubled per attempt up to {@code max_backoff_seconds}. */
  static final Duration BACKOFF_BASE = Duration.ofSeconds(1);

  /** RFC 8288 link-value: {@code <uri-reference> *( ";" link-param )}. */
  private static final Pattern LINK = Pattern.compile("<([^>]*)>((?:\\s*;\\s*[^;,]+)*)");

  private static final Pattern REL_NEXT =
      Pattern.compile(";\\s*rel\\s*=\\s*(?:\"([^\"]*)\"|([^\\s;,]+))", Pattern.CASE_INSENSITIVE);

  private final RestSourceOptions options;
  private final ConnectorContext ctx;
  private final HttpClient http;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Schema schema;

  public RestConnector(RestSourceOptions options, ConnectorContext ctx, HttpClient http, Sleeper sleeper, Clock clock) {
    this.options = options;
    this.ctx = ctx;
    this.http = http;
    this.sleeper = sleeper;
    this.clock = clock;
    this.schema = bronzeSchema(options);
  }

  /** The Bronze schema of a source with these options; needs no connection. */
  public static Schema bronzeSchema(RestSourceOptions options) {
    List<Types.NestedField> columns = new ArrayList<>();
    for (int i = 0; i < options.fields().size(); i++) {
      RestSourceOptions.Field f = options.fields().get(i);
      columns.add(f.required()
          ? Types.NestedField.required(i + 1, f.name(), f.icebergType())
          : Types.NestedField.optional(i + 1, f.name(), f.icebergType()));
    }
    return new Schema(columns);
  }

  public static RestConnector create(SourceConfig source, ConnectorContext ctx) {
    RestSourceOptions options = RestSourceOptions.parse(source.id(), source.options());
    HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(options.timeoutSeconds()))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
    return new RestConnector(options, ctx, http, Thread::sleep, Clock.systemUTC());
  }

  public RestSourceOptions options() {
    return options;
  }

  @Override
  public List<ExtractItem> plan(LocalDate dt) {
    List<String> partitions = options.partitions().isEmpty() ? List.of("") : options.partitions();
    return partitions.stream()
        .map(p -> {
          ObjectNode range = JsonNodeFactory.instance.objectNode();
          range.put("dt", dt.toString());
          if (!p.isEmpty()) {
            range.put("partition", p);
          }
          return new ExtractItem(options.sourceId(), p.isEmpty() ? "api-" + dt : "api-" + p, null, null, 0, null, range);
        })
        .sorted(Comparator.comparing(ExtractItem::chunkId))
        .toList();
  }

  @Override
  public Schema bronzeSchema() {
    return schema;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Comparator<Record> bronzeOrder() {
    String key = options.key();
    return Comparator.comparing(r -> (Comparable) r.getField(key), Comparator.nullsFirst(Comparator.naturalOrder()));
  }

  @Override
  public void read(ExtractItem item, LocalDate dt, RowSink sink) {
    String partition = item.range() != null && item.range().hasNonNull("partition")
        ? item.range().get("partition").asText() : null;
    String checkpointKey = "api:dt=" + dt + ":" + item.chunkId();
    String spool = SPOOL_PREFIX + options.sourceId() + "/dt=" + dt + "/" + item.chunkId() + "/";
    String secret = options.auth().secret() == null ? null : ctx.secrets().resolve(options.auth().secret());

    Checkpoint at = ctx.checkpoints().get(options.sourceId(), checkpointKey)
        .map(v -> Json.read(v.getBytes(StandardCharsets.UTF_8), Checkpoint.class))
        .orElse(new Checkpoint(0, firstRequest(dt, partition).toString()));
    long position = 0;
    FieldShapes shapes = new FieldShapes(options.fields().stream()
        .map(f -> new FieldShapes.Field(f.name(), f.type(), f.required(), "at " + f.pointer())).toList());
    if (at.pages() > 0) {
      Log.info(STEP, "api_resumed", "source", options.sourceId(), "chunk", item.chunkId(), "pages_spooled", at.pages(),
          "spool_prefix", spool);
    }
    for (int page = 0; page < at.pages(); page++) {
      String key = spool + pageName(page);
      byte[] body = ctx.s3().getObjectAsBytes(b -> b.bucket(ctx.lakeBucket()).key(key)).asByteArray();
      position = emit(records(parse(body, options.baseUrl()), options.baseUrl()), position, sink, shapes);
    }

    int pages = at.pages();
    String next = at.next();
    while (next != null) {
      URI uri = URI.create(next);
      HttpResponse<byte[]> response = fetch(uri, item.chunkId(), pages, secret);
      JsonNode root = parse(response.body(), uri);
      JsonNode records = records(root, uri);
      String after = nextRequest(uri, response, root, records);
      if (after == null && records.isEmpty()) {
        break;
      }
      int index = pages;
      ctx.s3().putObject(b -> b.bucket(ctx.lakeBucket()).key(spool + pageName(index)).contentType("application/json"),
          RequestBody.fromBytes(response.body()));
      pages++;
      ctx.checkpoints().put(options.sourceId(), checkpointKey, Json.string(new Checkpoint(pages, after)));
      position = emit(records, position, sink, shapes);
      next = after;
    }

    ctx.checkpoints().delete(options.sourceId(), checkpointKey);
    for (int page = 0; page < pages; page++) {
      String key = spool + pageName(page);
      ctx.s3().deleteObject(b -> b.bucket(ctx.lakeBucket()).key(key));
    }
    Log.info(STEP, "api_read", "source", options.sourceId(), "chunk", item.chunkId(), "pages", pages,
        "pages_replayed", at.pages(), "records", position);
    // After the spool is gone: a rerun once the API is fixed fetches fresh pages, not these.
    shapes.check("source " + options.sourceId() + ": the " + position + " records of chunk " + item.chunkId()
        + " (" + options.baseUrl() + ")", options.sourceId());
  }

  /** What survives a crash: pages already spooled and the URL of the next one, null when done. */
  record Checkpoint(int pages, String next) {
    Checkpoint {
      if (pages < 0) {
        throw new IllegalArgumentException("[BUG] checkpoint pages must be >= 0, got " + pages);
      }
    }
  }

  static String pageName(int page) {
    return String.format(Locale.ROOT, "page-%05d.json", page);
  }

  private URI firstRequest(LocalDate dt, String partition) {
    String path = options.path().replace("{dt}", dt.toString());
    if (partition != null) {
      path = path.replace("{partition}", partition);
    }
    SortedMap<String, String> query = new TreeMap<>(options.query());
    RestSourceOptions.Pagination g = options.pagination();
    switch (g.type()) {
      case "page" -> query.put(g.pageParam(), Long.toString(g.firstPage()));
      case "offset" -> {
        query.put(g.offsetParam(), "0");
        query.put(g.limitParam(), Integer.toString(g.limit()));
      }
      default -> { }
    }
    String base = options.baseUrl().toString();
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return withQuery(URI.create(base + path), query);
  }

  /** The next page's URL, or null when {@code current} was the last. */
  private String nextRequest(URI current, HttpResponse<byte[]> response, JsonNode root, JsonNode records) {
    RestSourceOptions.Pagination g = options.pagination();
    return switch (g.type()) {
      case "cursor" -> {
        JsonNode cursor = root.at(g.cursorPointer());
        yield cursor.isMissingNode() || cursor.isNull() || cursor.asText().isEmpty()
            ? null : replaceParam(current, g.cursorParam(), cursor.asText()).toString();
      }
      case "page" -> records.isEmpty() ? null
          : replaceParam(current, g.pageParam(), Long.toString(Long.parseLong(param(current, g.pageParam())) + 1))
              .toString();
      // Advance by what arrived, not by limit, and stop only on an empty page: servers often cap
      // limit below what was asked, and stopping on a short page would then drop the rest.
      case "offset" -> records.isEmpty() ? null
          : replaceParam(current, g.offsetParam(),
              Long.toString(Long.parseLong(param(current, g.offsetParam())) + records.size())).toString();
      case "link" -> nextLink(current, response.headers().allValues("Link"));
      default -> throw new IllegalStateException("[BUG] unknown pagination type " + g.type());
    };
  }

  static String nextLink(URI current, List<String> headers) {
    for (String header : headers) {
      Matcher m = LINK.matcher(header);
      while (m.find()) {
        Matcher rel = REL_NEXT.matcher(m.group(2));
        while (rel.find()) {
          String rels = rel.group(1) != null ? rel.group(1) : rel.group(2);
          // rel may list several relation types separated by spaces (RFC 8288 §3.3).
          for (String r : rels.trim().split("\\s+")) {
            if (r.equalsIgnoreCase("next")) {
              return current.resolve(m.group(1).trim()).toString();
            }
          }
        }
      }
    }
    return null;
  }

  private HttpResponse<byte[]> fetch(URI uri, String chunkId, int page, String secret) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(options.timeoutSeconds()))
        .header("Accept", "application/json")
        .GET();
    switch (options.auth().type()) {
      case "bearer" -> request.header("Authorization", "Bearer " + secret);
      case "api_key" -> request.header(options.auth().header(), secret);
      default -> { }
    }
    String last = "none";
    for (int attempt = 0; ; attempt++) {
      Duration wait;
      try {
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return response;
        }
        last = "HTTP " + status;
        if (status == 401 || status == 403) {
          throw new SourceUnavailable("source " + options.sourceId() + ": auth failed, GET " + redact(uri)
              + " (page " + page + ") returned HTTP " + status + "; check auth (type " + options.auth().type()
              + (options.auth().secret() == null ? "" : ", secret " + options.auth().secret()) + ")");
        }
        if (status == 429) {
          wait = retryAfter(response).orElse(null);
        } else if (status >= 500) {
          wait = null;
        } else {
          throw new SourceUnavailable("source " + options.sourceId() + ": GET " + redact(uri) + " (page " + page
              + ") returned HTTP " + status + ", which is not retried");
        }
      } catch (HttpTimeoutException e) {
        last = "timeout after " + options.timeoutSeconds() + " s";
        wait = null;
      } catch (IOException e) {
        last = "connection error (" + e.getClass().getSimpleName() + ")";
        wait = null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SourceUnavailable("source " + options.sourceId() + ": interrupted during GET " + redact(uri), e);
      }
      if (attempt >= options.maxRetries()) {
        throw new SourceUnavailable("source " + options.sourceId() + ": GET " + redact(uri) + " (page " + page
            + ") failed after " + options.maxRetries() + " retries, last status " + last);
      }
      Duration pause = wait != null ? wait : backoff(chunkId, attempt);
      Log.info(STEP, "api_retry", "source", options.sourceId(), "chunk", chunkId, "page", page, "attempt", attempt + 1,
          "last_status", last, "wait_ms", pause.toMillis());
      try {
        sleeper.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SourceUnavailable("source " + options.sourceId() + ": interrupted waiting to retry " + redact(uri), e);
      }
    }
  }

  /** Full jitter: uniform in [0, min(cap, base * 2^attempt)], in milliseconds. */
  Duration backoff(String chunkId, int attempt) {
    long capMillis = options.maxBackoffSeconds() * 1000L;
    long ceiling = Math.min(capMillis, BACKOFF_BASE.toMillis() << Math.min(attempt, 30));
    // String.hashCode is specified by the JLS, so the seed is the same on every JVM and run.
    Random random = new Random((options.sourceId() + "/" + chunkId + "/" + attempt).hashCode());
    return Duration.ofMillis(random.nextLong(ceiling + 1));
  }

  /** {@code Retry-After} (RFC 9110 §10.2.3) as delay-seconds or an HTTP date, capped at the backoff cap. */
  private Optional<Duration> retryAfter(HttpResponse<?> response) {
    Optional<String> header = response.headers().firstValue("Retry-After").map(String::trim);
    if (header.isEmpty()) {
      return Optional.empty();
    }
    Duration cap = Duration.ofSeconds(options.maxBackoffSeconds());
    Duration wait;
    try {
      wait = Duration.ofSeconds(Long.parseLong(header.get()));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime when = ZonedDateTime.parse(header.get(), DateTimeFormatter.RFC_1123_DATE_TIME);
        wait = Duration.between(clock.instant(), when.toInstant());
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
    if (wait.isNegative()) {
      return Optional.of(Duration.ZERO);
    }
    return Optional.of(wait.compareTo(cap) > 0 ? cap : wait);
  }

  private JsonNode parse(byte[] body, URI uri) {
    JsonNode root;
    try {
      root = Json.mapper().readTree(body);
    } catch (IOException e) {
      throw new SourceObjectCorrupt("source " + options.sourceId() + ": GET " + redact(uri)
          + " returned a body that is not JSON (" + e.getClass().getSimpleName() + ")");
    }
    if (root == null || root.isMissingNode()) {
      throw new SourceObjectCorrupt("source " + options.sourceId() + ": GET " + redact(uri) + " returned an empty body");
    }
    return root;
  }

  private JsonNode records(JsonNode root, URI uri) {
    JsonNode records = root.at(options.records());
    if (!records.isArray()) {
      throw new SourceObjectCorrupt("source " + options.sourceId() + ": GET " + redact(uri) + " returned no array at "
          + options.records() + ", got " + records.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return records;
  }

  private long emit(JsonNode records, long position, RowSink sink, FieldShapes shapes) {
    long at = position;
    for (JsonNode record : records) {
      Record row = GenericRecord.create(schema);
      Rejection rejection = null;
      shapes.record();
      // Every field is looked at, even after one rejected the record, so the chunk's field shapes
      // (dev.featurepipe.extract.FieldShapes) see a renamed or retyped field in every record.
      for (int i = 0; i < options.fields().size(); i++) {
        RestSourceOptions.Field f = options.fields().get(i);
        JsonNode value = record.at(f.pointer());
        if (value.isMissingNode()) {
          shapes.absent(i);
        }
        if (value.isMissingNode() || value.isNull()) {
          if (f.required() && rejection == null) {
            rejection = Rejection.of("missing_field", f.name() + ": required at " + f.pointer());
          }
          continue;
        }
        Object converted = convert(value, schema.columns().get(i).type());
        if (converted == null) {
          String got = "a JSON " + value.getNodeType().name().toLowerCase(Locale.ROOT);
          shapes.unconvertible(i, got);
          if (rejection == null) {
            rejection = Rejection.of("wrong_type", f.name() + ": must be " + f.type() + ", got " + got
                + " that does not convert");
          }
        } else {
          shapes.converted(i);
          row.set(i, converted);
        }
      }
      if (rejection != null) {
        sink.reject(at, rejection, rawText(record));
      } else {
        sink.row(row);
      }
      at++;
    }
    return at;
  }

  private static String rawText(JsonNode record) {
    try {
      return Json.mapper().writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("[BUG] a parsed JSON node cannot be written back", e);
    }
  }

  /** The value as {@code type}'s Java class, or null when the JSON value does not fit it. */
  static Object convert(JsonNode value, Type type) {
    return switch (type.typeId()) {
      case STRING -> value.isTextual() ? value.asText() : null;
      case LONG -> value.isIntegralNumber() && value.canConvertToLong() ? value.longValue() : null;
      case INTEGER -> value.isIntegralNumber() && value.canConvertToInt() ? value.intValue() : null;
      case DOUBLE -> value.isNumber() ? value.doubleValue() : null;
      case BOOLEAN -> value.isBoolean() ? value.booleanValue() : null;
      case TIMESTAMP -> {
        if (!value.isTextual()) {
          yield null;
        }
        try {
          yield OffsetDateTime.parse(value.asText()).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
          yield null;
        }
      }
      case DECIMAL -> {
        Types.DecimalType d = (Types.DecimalType) type;
        BigDecimal number;
        try {
          // Text is accepted because APIs often quote money to keep it out of binary floating point.
          number = value.isNumber() ? value.decimalValue() : value.isTextual() ? new BigDecimal(value.asText()) : null;
        } catch (NumberFormatException e) {
          number = null;
        }
        if (number == null) {
          yield null;
        }
        try {
          BigDecimal scaled = number.setScale(d.scale(), RoundingMode.UNNECESSARY);
          yield scaled.precision() <= d.precision() ? scaled : null;
        } catch (ArithmeticException e) {
          yield null;
        }
      }
      default -> throw new IllegalStateException("[BUG] no conversion to " + type);
    };
  }

  static URI withQuery(URI uri, SortedMap<String, String> query) {
    if (query.isEmpty()) {
      return uri;
    }
    StringBuilder q = new StringBuilder();
    query.forEach((k, v) -> q.append(q.isEmpty() ? "" : "&").append(encode(k)).append('=').append(encode(v)));
    String s = uri.toString();
    return URI.create(s + (uri.getRawQuery() == null ? "?" : "&") + q);
  }

  /** {@code uri} with {@code name} set to {@code value}, other parameters kept in their order. */
  static URI replaceParam(URI uri, String name, String value) {
    String raw = uri.getRawQuery();
    List<String> kept = new ArrayList<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        String k = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
        if (!k.equals(encode(name))) {
          kept.add(pair);
        }
      }
    }
    kept.add(encode(name) + "=" + encode(value));
    String s = uri.toString();
    int cut = s.indexOf('?');
    return URI.create((cut < 0 ? s : s.substring(0, cut)) + "?" + String.join("&", kept));
  }

  static String param(URI uri, String name) {
    for (String pair : uri.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(encode(name))) {
        return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    throw new IllegalStateException("[BUG] request " + redact(uri) + " has no parameter " + name);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Query strings may carry tokens (signed next links, legacy api_key params): messages drop them. */
  static String redact(URI uri) {
    String s = uri.toString();
    int cut = s.indexOf('?');
    return cut < 0 ? s : s.substring(0, cut);
  }
}
