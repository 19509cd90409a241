package dev.featurepipe.extract;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.featurepipe.errors.ConfigInvalid;
import java.io.IOException;

/** Binding a source's {@code options} node to a connector's own record, with errors naming the path. */
public final class ConnectorOptions {

  private ConnectorOptions() {}

  /**
   * Reads {@code options} with {@code strict} (which should fail on unknown properties) into {@code
   * type}; a mapping error becomes {@code ConfigInvalid} as {@code sources[<id>].options.<path>:
   * <problem>}.
   */
  public static <T> T bind(ObjectMapper strict, String sourceId, String kind, JsonNode options, Class<T> type) {
    if (options == null || options.isNull() || options.isMissingNode()) {
      throw new ConfigInvalid("sources[" + sourceId + "].options: required for kind " + kind + ", got nothing");
    }
    try {
      return strict.treeToValue(options, type);
    } catch (JsonMappingException e) {
      String path = e.getPath().stream()
          .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
          .reduce("", String::concat);
      throw new ConfigInvalid("sources[" + sourceId + "].options" + path + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigInvalid("sources[" + sourceId + "].options: " + e.getMessage(), e);
    }
  }

  /**
   * The rule for an S3 key prefix of a source's objects: empty, or ending in / and not starting with
   * /; a violation goes to {@code out} as {@code <at>prefix: ...}.
   */
  public static void checkPrefix(java.util.List<String> out, String at, String prefix) {
    if (prefix == null || prefix.startsWith("/") || !(prefix.isEmpty() || prefix.endsWith("/"))) {
      out.add(at + "prefix: must be empty or a key prefix ending in / and not starting with /, got " + prefix);
    }
  }

  /** {@code value} must be one of {@code allowed}; a violation goes to {@code out} as {@code <path>: ...}. */
  public static void checkOneOf(java.util.List<String> out, String path, java.util.List<String> allowed, String value) {
    if (!allowed.contains(value)) {
      out.add(path + ": must be one of " + String.join(", ", allowed) + ", got " + value);
    }
  }
}
