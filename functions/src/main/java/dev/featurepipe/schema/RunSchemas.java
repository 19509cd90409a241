package dev.featurepipe.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.featurepipe.config.SourceConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The schema versions a run reads its sources with, fixed when the run is planned and kept beside
 * its Extract items ({@code runs/run_id=<id>/source-schemas.json}), so every Extract chunk and the
 * seal of a partition use the same one even if the registry gains a version meanwhile. A source
 * not listed is read with its config's version.
 */
public record RunSchemas(@JsonProperty("sources") SortedMap<String, Entry> sources) {

  /**
   * {@code schema}: the version's reference; {@code baselineFields}: how many of its fields the
   * config's version has (the rest were added later, optional); {@code definition}: its Avro text.
   */
  public record Entry(@JsonProperty("schema") String schema, @JsonProperty("baseline_fields") int baselineFields,
      @JsonProperty("definition") String definition) {}

  public RunSchemas {
    sources = new TreeMap<>(sources == null ? Map.of() : sources);
  }

  public static RunSchemas none() {
    return new RunSchemas(new TreeMap<>());
  }

  /** The config's source as this run reads it: with the later version's added columns, if any. */
  public SourceConfig source(SourceConfig configured) {
    Entry e = sources.get(configured.id());
    if (e == null || e.schema().equals(configured.schema())) {
      return configured;
    }
    SourceSchema schema = SourceSchema.parse("runs/…/source-schemas.json " + configured.id(), e.schema(),
        e.definition().getBytes(StandardCharsets.UTF_8));
    return SchemaBinding.extend(configured, schema, e.baselineFields());
  }

  /** Lines for the run's input fingerprint: sources read with a later version than their config's. */
  public String fingerprintLines(Map<String, String> configuredRefs) {
    StringBuilder sb = new StringBuilder();
    sources.forEach((id, e) -> {
      if (!e.schema().equals(configuredRefs.get(id))) {
        sb.append("schema ").append(id).append(' ').append(e.schema()).append(' ')
            .append(dev.featurepipe.ops.Hashing.sha256Hex(e.definition().getBytes(StandardCharsets.UTF_8)))
            .append('\n');
      }
    });
    return sb.toString();
  }
}
