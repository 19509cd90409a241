package dev.featurepipe.extract.rest;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.errors.ConfigInvalid;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The {@code options} of a {@code kind: rest} source, validated once: every rule broken is reported
 * together, one line each, as {@code sources[<id>].options.<field>: <rule>, got <value>}.
 *
 * <p>Requests go to {@code base_url + path} with {@code {dt}} and {@code {partition}} substituted and
 * {@code query} plus the pagination parameters appended. {@code records} points at the array of
 * records in each response; {@code fields} map each record to the Bronze schema (field ids 1.. in
 * list order); {@code key} names the field that orders Bronze rows totally.
 *
 * <pre>{@code
 * - id: orders_api
 *   kind: rest
 *   options:
 *     base_url: https://api.example.com
 *     path: /v2/orders/{dt}
 *     query: {status: all}
 *     auth: {type: bearer, secret: "secretsmanager:featurepipe/orders-api#token"}
 *     pagination: {type: cursor, cursor_pointer: /meta/next_cursor, cursor_param: cursor}
 *     records: /data
 *     key: order_id
 *     fields:
 *       - {name: order_id, type: long, required: true}
 *       - {name: customer, pointer: /customer/id, type: string, required: true}
 *       - {name: total, type: "decimal(12,2)"}
 *       - {name: placed_at, type: timestamptz, required: true}
 *     max_retries: 6
 *     max_backoff_seconds: 30
 *     timeout_seconds: 30
 * }</pre>
 */
public record RestSourceOptions(
    String sourceId,
    URI baseUrl,
    String path,
    SortedMap<String, String> query,
    Auth auth,
    Pagination pagination,
    JsonPointer records,
    List<Field> fields,
    String key,
    List<String> partitions,
    int maxRetries,
    int maxBackoffSeconds,
    int timeoutSeconds) {

  /** Six doublings from 1 s reach the 30 s cap: about a minute of waiting, well inside one Lambda. */
  public static final int MAX_RETRIES_DEFAULT = 6;

  /** Long enough to ride out a brief overload, short enough that a chunk's retries fit in a Lambda. */
  public static final int MAX_BACKOFF_SECONDS_DEFAULT = 30;

  /** Same as the SDK's default API call timeout order of magnitude; a page is one small JSON body. */
  public static final int TIMEOUT_SECONDS_DEFAULT = 30;

  /** A larger retry count cannot help: the Extract step's own Lambda timeout would end it first. */
  static final int MAX_RETRIES_LIMIT = 20;

  /** Past 15 minutes one wait outlives the Lambda that waits. */
  static final int SECONDS_LIMIT = 900;

  static final List<String> AUTH_TYPES = List.of("none", "bearer", "api_key");

  static final List<String> PAGINATION_TYPES = List.of("cursor", "page", "offset", "link");

  static final List<String> SECRET_SCHEMES = List.of("env:", "file:", "secretsmanager:", "ssm:");

  static final String TYPES = "string, long, int, double, boolean, timestamptz, decimal(p,s)";

  static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d{1,2}),\\s*(\\d{1,2})\\)");

  static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

  /** Partitions become chunk ids ({@code api-<partition>}) and URL path segments, so both rules apply. */
  static final Pattern PARTITION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,195}");

  static final Pattern PARAM = Pattern.compile("[A-Za-z0-9_.\\[\\]-]+");

  /** RFC 7230 token characters: what an HTTP header name may hold. */
  static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Iceberg decimals hold at most 38 digits. */
  static final int MAX_PRECISION = 38;

  public RestSourceOptions {
    for (Object part : new Object[] {sourceId, baseUrl, path, query, auth, pagination, records, fields, key, partitions}) {
      if (part == null) {
        throw new IllegalArgumentException("[BUG] RestSourceOptions built without a required part; use parse()");
      }
    }
    if (fields.isEmpty() || fields.stream().noneMatch(f -> key.equals(f.name()))) {
      throw new IllegalArgumentException("[BUG] key must name one of the fields, got " + key);
    }
    query = new TreeMap<>(query);
    fields = List.copyOf(fields);
    partitions = List.copyOf(partitions);
  }

  /** How requests prove who we are; {@code secret} is a reference, resolved at read time. */
  public record Auth(String type, String secret, String header) {
    public static final Auth NONE = new Auth("none", null, null);
  }

  /**
   * How the next page is found. {@code cursor}: the value at {@code cursorPointer} in the response,
   * sent as {@code cursorParam}, stop when absent or empty. {@code page}: {@code pageParam} from
   * {@code firstPage} up, stop on an empty page. {@code offset}: {@code offsetParam} advanced by the
   * records received with {@code limitParam = limit}, stop on an empty page. {@code link}: the RFC 8288
   * {@code rel="next"} link of the response, stop when absent.
   */
  public record Pagination(
      String type,
      JsonPointer cursorPointer,
      String cursorParam,
      String pageParam,
      long firstPage,
      String offsetParam,
      String limitParam,
      int limit) {}

  /** One Bronze column and where in a record its value is. */
  public record Field(String name, JsonPointer pointer, String type, boolean required) {

    /** The Iceberg type, or null when {@code type} names none. */
    public Type icebergType() {
      Matcher m = DECIMAL.matcher(type == null ? "" : type);
      if (m.matches()) {
        int p = Integer.parseInt(m.group(1));
        int s = Integer.parseInt(m.group(2));
        return p >= 1 && p <= MAX_PRECISION && s <= p ? Types.DecimalType.of(p, s) : null;
      }
      return switch (type == null ? "" : type) {
        case "string" -> Types.StringType.get();
        case "long" -> Types.LongType.get();
        case "int" -> Types.IntegerType.get();
        case "double" -> Types.DoubleType.get();
        case "boolean" -> Types.BooleanType.get();
        case "timestamptz" -> Types.TimestampType.withZone();
        default -> null;
      };
    }
  }

  /** Parses {@code options} of source {@code sourceId}; throws {@code ConfigInvalid} listing every violation. */
  public static RestSourceOptions parse(String sourceId, JsonNode options) {
    Parser p = new Parser(sourceId);
    if (options == null || !options.isObject()) {
      throw new ConfigInvalid("sources[" + sourceId + "].options: must be a mapping, got "
          + (options == null ? "nothing" : options.getNodeType().name().toLowerCase(Locale.ROOT)));
    }
    p.unknown("", options, List.of("base_url", "path", "query", "auth", "pagination", "records", "fields", "key",
        "partitions", "max_retries", "max_backoff_seconds", "timeout_seconds"));

    URI baseUrl = null;
    String base = p.text("base_url", options.get("base_url"), true);
    if (base != null) {
      try {
        URI uri = new URI(base);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
            || uri.getRawQuery() != null || uri.getRawFragment() != null) {
          p.fail("base_url", "must be an http(s) URL with a host and no query or fragment", base);
        } else {
          baseUrl = uri;
        }
      } catch (URISyntaxException e) {
        p.fail("base_url", "must be an http(s) URL with a host and no query or fragment", base);
      }
    }
    String path = p.text("path", options.get("path"), true);
    if (path != null && (!path.startsWith("/") || path.contains("?") || path.contains("#"))) {
      p.fail("path", "must start with / and hold no query or fragment (use query)", path);
    }

    SortedMap<String, String> query = new TreeMap<>();
    JsonNode q = options.get("query");
    if (q != null && !q.isNull()) {
      if (!q.isObject()) {
        p.fail("query", "must be a mapping of parameter to string", q);
      } else {
        for (Iterator<String> it = q.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          JsonNode v = q.get(name);
          if (!PARAM.matcher(name).matches()) {
            p.fail("query", "parameter names must match " + PARAM.pattern(), name);
          } else if (!v.isValueNode() || v.isNull()) {
            p.fail("query." + name, "must be a scalar", v);
          } else {
            query.put(name, v.asText());
          }
        }
      }
    }

    Auth auth = parseAuth(p, options.get("auth"));
    Pagination pagination = parsePagination(p, options.get("pagination"));
    JsonPointer records = p.pointer("records", options.get("records"), true);

    List<Field> fields = new ArrayList<>();
    JsonNode fs = options.get("fields");
    if (fs == null || !fs.isArray() || fs.isEmpty()) {
      p.fail("fields", "must be a non-empty list", fs);
    } else {
      TreeSet<String> names = new TreeSet<>();
      for (int i = 0; i < fs.size(); i++) {
        String at = "fields[" + i + "]";
        JsonNode f = fs.get(i);
        if (!f.isObject()) {
          p.fail(at, "must be a mapping", f);
          continue;
        }
        p.unknown(at + ".", f, List.of("name", "pointer", "type", "required"));
        String name = p.text(at + ".name", f.get("name"), true);
        if (name != null && !NAME.matcher(name).matches()) {
          p.fail(at + ".name", "must match " + NAME.pattern(), name);
        } else if (name != null && !names.add(name)) {
          p.fail(at + ".name", "must be unique", name);
        }
        JsonPointer pointer = p.pointer(at + ".pointer", f.get("pointer"), false);
        if (pointer == null && name != null && f.get("pointer") == null) {
          // A field named like its top-level property needs no pointer: the common case stays short.
          pointer = JsonPointer.compile("/" + name);
        }
        String type = p.text(at + ".type", f.get("type"), true);
        Field field = new Field(name, pointer, type, p.bool(at + ".required", f.get("required"), false));
        if (type != null && field.icebergType() == null) {
          p.fail(at + ".type", "must be one of " + TYPES + " (p 1-" + MAX_PRECISION + ", s <= p)", type);
        }
        fields.add(field);
      }
    }

    String key = p.text("key", options.get("key"), true);
    if (key != null && !fields.isEmpty()) {
      Field keyField = fields.stream().filter(f -> key.equals(f.name())).findFirst().orElse(null);
      if (keyField == null) {
        p.fail("key", "must name a field", key);
      } else if (!keyField.required()) {
        p.fail("key", "must name a required field, so every row has one", key);
      }
    }

    List<String> partitions = new ArrayList<>();
    JsonNode ps = options.get("partitions");
    if (ps != null && !ps.isNull()) {
      if (!ps.isArray() || ps.isEmpty()) {
        p.fail("partitions", "must be a non-empty list of strings", ps);
      } else {
        TreeSet<String> seen = new TreeSet<>();
        for (int i = 0; i < ps.size(); i++) {
          String part = p.text("partitions[" + i + "]", ps.get(i), true);
          if (part != null && !PARTITION.matcher(part).matches()) {
            p.fail("partitions[" + i + "]", "must match " + PARTITION.pattern(), part);
          } else if (part != null && !seen.add(part)) {
            p.fail("partitions[" + i + "]", "must be unique", part);
          } else if (part != null) {
            partitions.add(part);
          }
        }
      }
      if (path != null && !path.contains("{partition}")) {
        p.fail("path", "must contain {partition} when partitions are given", path);
      }
    } else if (path != null && path.contains("{partition}")) {
      p.fail("path", "may contain {partition} only when partitions are given", path);
    }

    int maxRetries = p.integer("max_retries", options.get("max_retries"), MAX_RETRIES_DEFAULT, 0, MAX_RETRIES_LIMIT);
    int maxBackoff = p.integer("max_backoff_seconds", options.get("max_backoff_seconds"),
        MAX_BACKOFF_SECONDS_DEFAULT, 1, SECONDS_LIMIT);
    int timeout = p.integer("timeout_seconds", options.get("timeout_seconds"), TIMEOUT_SECONDS_DEFAULT, 1,
        SECONDS_LIMIT);

    p.throwIfAny();
    return new RestSourceOptions(sourceId, baseUrl, path, query, auth, pagination, records, fields, key,
        partitions.stream().sorted().toList(), maxRetries, maxBackoff, timeout);
  }

  private static Auth parseAuth(Parser p, JsonNode a) {
    if (a == null || a.isNull()) {
      return Auth.NONE;
    }
    if (!a.isObject()) {
      p.fail("auth", "must be a mapping", a);
      return Auth.NONE;
    }
    p.unknown("auth.", a, List.of("type", "secret", "header"));
    String type = p.text("auth.type", a.get("type"), true);
    if (type == null) {
      return Auth.NONE;
    }
    if (!AUTH_TYPES.contains(type)) {
      p.fail("auth.type", "must be one of " + String.join(", ", AUTH_TYPES), type);
      return Auth.NONE;
    }
    String secret = p.text("auth.secret", a.get("secret"), !"none".equals(type));
    String header = p.text("auth.header", a.get("header"), "api_key".equals(type));
    if ("none".equals(type) && secret != null) {
      p.fail("auth.secret", "must be absent when auth.type is none", secret);
    }
    if (!"api_key".equals(type) && header != null) {
      p.fail("auth.header", "is only for auth.type api_key", header);
    }
    if (secret != null && SECRET_SCHEMES.stream().noneMatch(secret::startsWith)) {
      // Echoing is safe here: a value without a reference scheme is exactly what must not be in config.
      p.fail("auth.secret", "must be a reference (" + String.join(", ", SECRET_SCHEMES) + "...), not a value",
          "a value of " + secret.length() + " characters");
    }
    if (header != null && !HEADER.matcher(header).matches()) {
      p.fail("auth.header", "must be an HTTP header name", header);
    }
    return new Auth(type, secret, header);
  }

  private static Pagination parsePagination(Parser p, JsonNode g) {
    if (g == null || !g.isObject()) {
      p.fail("pagination", "must be a mapping with a type", g);
      return null;
    }
    String type = p.text("pagination.type", g.get("type"), true);
    if (type == null) {
      return null;
    }
    if (!PAGINATION_TYPES.contains(type)) {
      p.fail("pagination.type", "must be one of " + String.join(", ", PAGINATION_TYPES), type);
      return null;
    }
    return switch (type) {
      case "cursor" -> {
        p.unknown("pagination.", g, List.of("type", "cursor_pointer", "cursor_param"));
        yield new Pagination(type, p.pointer("pagination.cursor_pointer", g.get("cursor_pointer"), true),
            p.param("pagination.cursor_param", g.get("cursor_param"), "cursor"), null, 0, null, null, 0);
      }
      case "page" -> {
        p.unknown("pagination.", g, List.of("type", "page_param", "first_page"));
        yield new Pagination(type, null, null, p.param("pagination.page_param", g.get("page_param"), "page"),
            p.integer("pagination.first_page", g.get("first_page"), 1, 0, 1), null, null, 0);
      }
      case "offset" -> {
        p.unknown("pagination.", g, List.of("type", "offset_param", "limit_param", "limit"));
        yield new Pagination(type, null, null, null, 0,
            p.param("pagination.offset_param", g.get("offset_param"), "offset"),
            p.param("pagination.limit_param", g.get("limit_param"), "limit"),
            p.integer("pagination.limit", g.get("limit"), 100, 1, 100_000));
      }
      default -> {
        p.unknown("pagination.", g, List.of("type"));
        yield new Pagination(type, null, null, null, 0, null, null, 0);
      }
    };
  }

  /** Collects violations in the order options are read. */
  private static final class Parser {
    private final String prefix;
    private final List<String> violations = new ArrayList<>();

    Parser(String sourceId) {
      this.prefix = "sources[" + sourceId + "].options.";
    }

    void fail(String field, String rule, Object got) {
      String value = got == null ? "nothing" : got instanceof JsonNode n && n.isTextual() ? n.asText() : got.toString();
      violations.add(prefix + field + ": " + rule + ", got " + value);
    }

    void unknown(String at, JsonNode node, List<String> allowed) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.stream().sorted().filter(n -> !allowed.contains(n))
          .forEach(n -> fail(at + n, "is not an option (known: " + String.join(", ", allowed) + ")", n));
    }

    String text(String field, JsonNode v, boolean required) {
      if (v == null || v.isNull()) {
        if (required) {
          fail(field, "is required", null);
        }
        return null;
      }
      if (!v.isTextual() || v.asText().isBlank()) {
        fail(field, "must be a non-empty string", v);
        return null;
      }
      return v.asText();
    }

    String param(String field, JsonNode v, String dflt) {
      String s = text(field, v, false);
      if (s == null) {
        return dflt;
      }
      if (!PARAM.matcher(s).matches()) {
        fail(field, "must match " + PARAM.pattern(), s);
      }
      return s;
    }

    JsonPointer pointer(String field, JsonNode v, boolean required) {
      String s = text(field, v, required);
      if (s == null) {
        return null;
      }
      try {
        return JsonPointer.compile(s);
      } catch (IllegalArgumentException e) {
        fail(field, "must be a JSON pointer (RFC 6901, e.g. /data/items)", s);
        return null;
      }
    }

    boolean bool(String field, JsonNode v, boolean dflt) {
      if (v == null || v.isNull()) {
        return dflt;
      }
      if (!v.isBoolean()) {
        fail(field, "must be true or false", v);
        return dflt;
      }
      return v.booleanValue();
    }

    int integer(String field, JsonNode v, int dflt, int min, int max) {
      if (v == null || v.isNull()) {
        return dflt;
      }
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
        fail(field, "must be an integer from " + min + " to " + max, v);
        return dflt;
      }
      return v.intValue();
    }

    void throwIfAny() {
      if (!violations.isEmpty()) {
        throw new ConfigInvalid(String.join("\n", violations));
      }
    }
  }
}
