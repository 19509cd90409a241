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
}
