package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The runner's one JSON configuration and the few helpers every part of it needs. */
final class Json {

  /**
   * Duplicate keys are rejected because AWS rejects them in definitions, and a silently
   * last-one-wins payload hides bugs.
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Step Functions' payload quota: 256 KiB of UTF-8 for any state input, output or result. */
  static final int PAYLOAD_LIMIT_BYTES = 256 * 1024;

  /** The timestamp format AWS uses in the context object and in Map Run result files. */
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Json() {}

  static ObjectNode object() {
    return NODES.objectNode();
  }

  /** An int node when the value fits, as Jackson's parser would produce, so parsed and computed values compare equal. */
  static JsonNode number(long value) {
    return value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value);
  }

  static String compact(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("[BUG] cannot serialise a JSON tree", e);
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("[BUG] cannot serialise a JSON tree", e);
    }
  }

  static byte[] prettyBytes(JsonNode node) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("[BUG] cannot serialise a JSON tree", e);
    }
  }

  /** Parses JSON text; throws {@link IOException} (with Jackson's location) when it is not JSON. */
  static JsonNode parse(String text) throws IOException {
    return MAPPER.readTree(text);
  }

  static JsonNode parse(byte[] bytes) throws IOException {
    return MAPPER.readTree(bytes);
  }

  /** Size of the compact UTF-8 serialisation, the measure AWS applies to payload quotas. */
  static long utf8Size(JsonNode node) {
    CountingStream counter = new CountingStream();
    try {
      MAPPER.writeValue(counter, node);
    } catch (IOException e) {
      throw new UncheckedIOException("[BUG] cannot serialise a JSON tree", e);
    }
    return counter.count;
  }

  static String isoMillis(Instant instant) {
    return ISO_MILLIS.format(instant);
  }

  /** A short, bounded rendering of a payload for error causes. */
  static String preview(JsonNode node) {
    String text = compact(node);
    return text.length() <= 1024 ? text : text.substring(0, 1024) + "...";
  }

  static String typeName(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "missing";
    }
    return switch (node.getNodeType()) {
      case ARRAY -> "array";
      case OBJECT, POJO -> "object";
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      case BINARY, MISSING -> "binary";
    };
  }

  private static final class CountingStream extends OutputStream {
    private long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
