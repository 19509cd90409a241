package dev.featurepipe.config;

import java.util.Objects;

/** A validated config with the SHA-256 of the exact bytes it was read from (for lineage). */
public record LoadedConfig(PipelineConfig config, String sha256, String origin) {

  public LoadedConfig {
    Objects.requireNonNull(config, "config");
    if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("[BUG] config sha256 must be 64 hex digits, got " + sha256);
    }
  }
}
