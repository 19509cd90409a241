package dev.featurepipe.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.ops.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code env:NAME} and {@code file:path[#field]} references, for the local stack and tests. */
public final class LocalSecrets implements SecretResolver {

  private final Map<String, String> environment;

  public LocalSecrets(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public String resolve(String reference) {
    if (reference == null) {
      throw new ConfigInvalid("secret reference is missing");
    }
    if (reference.startsWith("env:")) {
      String value = environment.get(reference.substring(4));
      if (value == null) {
        throw new ConfigInvalid("secret " + reference + ": environment variable is not set");
      }
      return value;
    }
    if (reference.startsWith("file:")) {
      String spec = reference.substring(5);
      int hash = spec.indexOf('#');
      Path path = Path.of(hash < 0 ? spec : spec.substring(0, hash));
      try {
        String text = Files.readString(path);
        if (hash < 0) {
          return text.strip();
        }
        JsonNode field = Json.mapper().readTree(text).get(spec.substring(hash + 1));
        if (field == null || !field.isTextual()) {
          throw new ConfigInvalid("secret " + reference + ": the file has no string field " + spec.substring(hash + 1));
        }
        return field.asText();
      } catch (IOException e) {
        throw new ConfigInvalid("secret " + reference + ": cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    throw new ConfigInvalid("secret " + reference + ": locally only env:NAME and file:path[#field] references work "
        + "(secretsmanager: and ssm: need AWS)");
  }
}
