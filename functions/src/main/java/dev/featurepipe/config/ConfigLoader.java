package dev.featurepipe.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.extract.SourceConnectors;
import dev.featurepipe.quality.SourceRules;
import dev.featurepipe.schema.SchemaBinding;
import dev.featurepipe.schema.SchemaFiles;
import dev.featurepipe.schema.SourceSchema;
import dev.featurepipe.transform.engine.FeatureGroupSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;

/**
 * Reads {@code pipeline.yaml} strictly (unknown keys and missing required keys fail) and checks every
 * rule, reporting all violations at once, one per line: {@code path: rule, got value}.
 */
public final class ConfigLoader {

  /** Where the build puts {@code config/pipeline.yaml} inside the jar. */
  public static final String BUNDLED_RESOURCE = "featurepipe/config/pipeline.yaml";

  /** Ids become S3 key segments, Iceberg table names and DynamoDB keys: keep them plain. */
  static final Pattern ID = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  /** Connector kinds; each validates its own {@code options} when it is built. */
  static final List<String> SOURCE_KINDS = List.of("s3_jsonl", "s3_files", "jdbc", "rest", "cdc");

  /**
   * Days of Bronze the lake keeps (the bucket's lifecycle rule in template.yaml expires Bronze after
   * a year): a finite window longer than this could not be recomputed on a rerun, so the spec parser
   * rejects it.
   */
  public static final int BRONZE_RETENTION_DAYS = 365;

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // Mandatory keys say so with @JsonProperty(required = true); optional ones (a source's
          // options) may be absent, so the global missing/null-creator checks would be wrong here.
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private ConfigLoader() {}

  /** Where the build puts {@code config/schemas/} inside the jar. */
  public static final String BUNDLED_SCHEMAS = "featurepipe/config/schemas/";

  public static LoadedConfig loadBundled() {
    try (InputStream in =
        ConfigLoader.class.getClassLoader().getResourceAsStream(BUNDLED_RESOURCE)) {
      if (in == null) {
        throw new ConfigInvalid(
            "[BUG] " + BUNDLED_RESOURCE + " is not on the classpath; the build bundles config/");
      }
      return load(in.readAllBytes(), "classpath:" + BUNDLED_RESOURCE, SchemaFiles.classpath(BUNDLED_SCHEMAS));
    } catch (IOException e) {
      throw new ConfigInvalid("cannot read " + BUNDLED_RESOURCE + ": " + e.getMessage(), e);
    }
  }

  /**
   * A config file; the source schemas it names are read from {@code schemas/} beside it, or from
   * {@code ../schemas/} (so {@code config/demo/pipeline.yaml} shares {@code config/schemas/}).
   */
  public static LoadedConfig load(Path file) {
    byte[] yaml;
    try {
      yaml = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigInvalid("cannot read config " + file + ": " + e.getMessage(), e);
    }
    Path dir = file.toAbsolutePath().getParent();
    List<Path> schemaDirs = new ArrayList<>(List.of(dir.resolve("schemas")));
    if (dir.getParent() != null) {
      schemaDirs.add(dir.getParent().resolve("schemas"));
    }
    return load(yaml, file.toString(), SchemaFiles.directories(schemaDirs));
  }

  /** Config text with no schemas directory: sources declare their columns inline. */
  public static LoadedConfig load(byte[] yaml, String origin) {
    return load(yaml, origin, SchemaFiles.NONE);
  }

  /**
   * Reads, validates and binds: each source's registered schema (if it names one) is put into its
   * options, and every source's options are checked as its connector will read them. The returned
   * SHA-256 covers the YAML and every schema file it uses, so changing either changes the run's
   * lineage.
   */
  public static LoadedConfig load(byte[] yaml, String origin, SchemaFiles schemas) {
    PipelineYaml raw;
    try {
      raw = YAML.readValue(yaml, PipelineYaml.class);
    } catch (JsonMappingException e) {
      throw new ConfigInvalid(origin + ": " + path(e) + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigInvalid(origin + ": not valid YAML: " + e.getMessage(), e);
    }
    List<String> violations = validate(raw);
    TreeMap<String, byte[]> used = new TreeMap<>();
    TreeMap<String, SourceSchema> registered = new TreeMap<>();
    List<SourceConfig> sources = raw.sources();
    if (violations.isEmpty()) {
      sources = bindSchemas(sources, schemas, used, registered, violations);
    }
    if (violations.isEmpty()) {
      for (SourceConfig s : sources) {
        try {
          SourceConnectors.validateOptions(s);
        } catch (ConfigInvalid e) {
          violations.addAll(List.of(e.getMessage().split("\n")));
        }
      }
    }
    if (violations.isEmpty()) {
      for (SourceConfig s : sources) {
        SourceRules.parse(s, SourceConnectors.bronzeSchema(s), violations);
      }
    }
    List<FeatureGroupConfig> groups = List.of();
    if (violations.isEmpty()) {
      groups = resolveGroups(raw.featureGroups(), sources, violations);
    }
    if (!violations.isEmpty()) {
      throw new ConfigInvalid(
          origin + " has " + violations.size() + " problem(s):\n" + String.join("\n", violations));
    }
    PipelineConfig config = new PipelineConfig(raw.version(), sources, groups, raw.fanout(), registered);
    return new LoadedConfig(config, sha256(yaml, used), origin);
  }

  /** The YAML's SHA-256 when it uses no schema files; else the SHA-256 of it and each file, by name. */
  private static String sha256(byte[] yaml, SortedMap<String, byte[]> schemaFiles) {
    if (schemaFiles.isEmpty()) {
      return Hashing.sha256Hex(yaml);
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(yaml);
    schemaFiles.forEach((name, bytes) -> {
      all.writeBytes(("\n--- schemas/" + name + "\n").getBytes(StandardCharsets.UTF_8));
      all.writeBytes(bytes);
    });
    return Hashing.sha256Hex(all.toByteArray());
  }

  private static List<SourceConfig> bindSchemas(List<SourceConfig> sources, SchemaFiles schemas,
      SortedMap<String, byte[]> used, SortedMap<String, SourceSchema> registered, List<String> violations) {
    List<SourceConfig> bound = new ArrayList<>();
    for (SourceConfig s : sources) {
      if (s.schema() == null || !SchemaBinding.appliesTo(s.kind())) {
        bound.add(s);
        continue;
      }
      String at = "sources[" + s.id() + "].schema";
      String file = SourceSchema.fileName(s.schema());
      Optional<byte[]> avsc = SourceSchema.REF.matcher(s.schema()).matches() ? schemas.read(file) : Optional.empty();
      if (avsc.isEmpty()) {
        violations.add(at + ": must name a registered schema <subject>.v<N> with a file schemas/<subject>.v<N>.avsc, got "
            + s.schema() + " (looked in " + schemas.describe() + ")");
        bound.add(s);
        continue;
      }
      try {
        SourceSchema schema = SourceSchema.parse(at, s.schema(), avsc.get());
        used.put(file, avsc.get());
        registered.put(s.id(), schema);
        bound.add(SchemaBinding.bind(s, schema, violations));
      } catch (ConfigInvalid e) {
        violations.addAll(List.of(e.getMessage().split("\n")));
        bound.add(s);
      }
    }
    return bound;
  }

  /**
   * Each group's engine spec, parsed against its source's Bronze schema and, as dimensions, every
   * other source's (a CDC source's end-of-day state); the group keeps its own {@code buckets} and {@code online_ttl_days}.
   */
  private static List<FeatureGroupConfig> resolveGroups(List<JsonNode> nodes, List<SourceConfig> sources,
      List<String> violations) {
    TreeMap<String, Schema> bronze = new TreeMap<>();
    TreeMap<String, Schema> asDimension = new TreeMap<>();
    for (SourceConfig s : sources) {
      bronze.put(s.id(), SourceConnectors.bronzeSchema(s));
      asDimension.put(s.id(), SourceConnectors.dimensionSchema(s));
    }
    List<FeatureGroupConfig> out = new ArrayList<>();
    Set<String> versioned = new TreeSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      JsonNode g = nodes.get(i);
      String name = g.path("name").isTextual() ? g.get("name").asText() : Integer.toString(i);
      String at = "feature_groups[" + name + "]";
      int before = violations.size();
      if (!ID.matcher(name).matches()) {
        violations.add(at + ".name: must match " + ID.pattern() + ", got " + (g.has("name") ? g.get("name") : "nothing"));
      }
      int buckets = intField(g, at, "buckets", 1, 4096, violations);
      int ttl = intField(g, at, "online_ttl_days", 1, 3650, violations);
      String source = g.path("source").isTextual() ? g.get("source").asText() : null;
      if (source == null || !bronze.containsKey(source)) {
        violations.add(at + ".source: must name a source in sources, got "
            + (g.has("source") ? g.get("source").asText() : "nothing"));
        continue;
      }
      // A CDC source joins as its end-of-day state (SourceConnectors.dimensionPartition).
      TreeMap<String, Schema> dimensions = new TreeMap<>(asDimension);
      dimensions.remove(source);
      FeatureGroupSpec spec;
      try {
        spec = FeatureGroupSpec.parse(g, bronze.get(source), dimensions, BRONZE_RETENTION_DAYS);
      } catch (ConfigInvalid e) {
        violations.addAll(List.of(e.getMessage().split("\n")));
        continue;
      }
      if (!versioned.add(spec.versionedName())) {
        violations.add(at + ".version: must be unique per group, got a second " + spec.versionedName());
      }
      if (violations.size() == before) {
        com.fasterxml.jackson.databind.node.ObjectNode definition = g.deepCopy();
        definition.remove("online_ttl_days");
        definition.remove("quality");
        List<JsonNode> ruleNodes = new ArrayList<>();
        JsonNode q = g.get("quality");
        if (q != null && !q.isNull() && !q.isArray()) {
          violations.add(at + ".quality: must be a list of rules like [{rule: ColumnValues, column: views_1d, "
              + "between: [0, 1000000]}], got " + q);
        } else if (q != null && q.isArray()) {
          q.forEach(ruleNodes::add);
        }
        dev.featurepipe.quality.SourceRules rules = dev.featurepipe.quality.FeatureRules.parse(spec.name(),
            spec.versionedName(), ruleNodes, dev.featurepipe.transform.SilverSchemas.features(spec), violations);
        if (violations.size() != before) {
          continue;
        }
        out.add(new FeatureGroupConfig(spec.name(), spec.version(), source,
            spec.joins().stream().map(FeatureGroupSpec.Join::source).toList(), buckets, ttl, spec,
            dev.featurepipe.ops.Json.string(dev.featurepipe.ops.Json.mapper().convertValue(definition, Object.class)),
            rules));
      }
    }
    return out;
  }

  private static int intField(JsonNode g, String at, String field, int min, int max, List<String> violations) {
    JsonNode v = g.get(field);
    if (v == null || !v.isInt() || v.asInt() < min || v.asInt() > max) {
      violations.add(at + "." + field + ": must be an integer between " + min + " and " + max + ", got "
          + (v == null ? "nothing" : v.toString()));
      return -1;
    }
    return v.asInt();
  }

  static List<String> validate(PipelineYaml config) {
    List<String> out = new ArrayList<>();
    if (config.version() != 1) {
      out.add("version: must be 1, got " + config.version());
    }
    Set<String> sourceIds = new HashSet<>();
    for (int i = 0; i < config.sources().size(); i++) {
      SourceConfig s = config.sources().get(i);
      String at = "sources[" + (s.id() == null ? i : s.id()) + "]";
      if (!ID.matcher(s.id()).matches()) {
        out.add(at + ".id: must match " + ID.pattern() + ", got " + s.id());
      }
      if (s.id().contains("__")) {
        out.add(at + ".id: must not contain __ (reserved for partitions derived from a source, such as a CDC "
            + "source's <id>__state), got " + s.id());
      }
      if (!sourceIds.add(s.id())) {
        out.add(at + ".id: must be unique, got a second " + s.id());
      }
      if (!SOURCE_KINDS.contains(s.kind())) {
        out.add(at + ".kind: must be one of " + String.join(", ", SOURCE_KINDS) + ", got " + s.kind());
      }
      if (s.kind().equals("s3_jsonl")) {
        if (s.prefix() == null || s.prefix().startsWith("/") || !s.prefix().endsWith("/")) {
          out.add(at + ".prefix: must be relative and end with /, got " + s.prefix());
        }
        if (!"clickstream_event_v1".equals(s.schema())) {
          out.add(at + ".schema: must be one of clickstream_event_v1, got " + s.schema());
        }
      }
    }
    FanoutConfig f = config.fanout();
    positive(out, "fanout.chunks_per_extract", f.chunksPerExtract(), 1000);
    positive(out, "fanout.extract_concurrency", f.extractConcurrency(), 10000);
    if (f.shards() != null) {
      positive(out, "fanout.shards", f.shards(), 4096);
    }
    positive(out, "fanout.rows_per_shard", f.rowsPerShard(), 1_000_000_000);
    positive(out, "fanout.transform_concurrency", f.transformConcurrency(), 10000);
    positive(out, "fanout.load_concurrency", f.loadConcurrency(), 10000);
    return out;
  }

  private static void positive(List<String> out, String path, int value, int max) {
    if (value < 1 || value > max) {
      out.add(path + ": must be between 1 and " + max + ", got " + value);
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.isEmpty() ? "(top level)" : sb.toString();
  }
}
