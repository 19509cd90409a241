package dev.featurepipe.lake;

import dev.featurepipe.errors.InvalidInput;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Every key the pipeline writes in the lake bucket, in one place (DESIGN.md section 3). Each id that
 * becomes a key segment is validated here, so no caller can build a key from unchecked input.
 */
public final class LakeLayout {

  static final Pattern ID = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  static final Pattern CHUNK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
  static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  /** Column names that may become a key segment (quality references): plain, no separators. */
  static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private LakeLayout() {}

  /** Parses a partition date strictly as ISO {@code YYYY-MM-DD}. */
  public static LocalDate parseDate(String field, String value) {
    if (value == null) {
      throw new InvalidInput(field + ": required, expected a date like 2026-11-24");
    }
    try {
      if (!value.matches("\\d{4}-\\d{2}-\\d{2}")) {
        throw new DateTimeParseException("not YYYY-MM-DD", value, 0);
      }
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new InvalidInput(field + ": must be a date like 2026-11-24, got " + value);
    }
  }

  public static String id(String what, String value) {
    return check(what, value, ID);
  }

  public static String runId(String value) {
    return check("runId", value, RUN_ID);
  }

  public static String chunkId(String value) {
    return check("chunkId", value, CHUNK_ID);
  }

  public static String bronzePrefix(String sourceId, LocalDate dt) {
    return "bronze/source_id=" + id("sourceId", sourceId) + "/dt=" + dt + "/";
  }

  /**
   * The source id under which a source's end-of-day table state is kept beside its change log:
   * {@code bronze/source_id=<id>__state/dt=D/}, its own partition with its own manifest.
   */
  public static String stateSourceId(String sourceId) {
    return id("sourceId", id("sourceId", sourceId) + "__state");
  }

  public static String bronzeManifest(String sourceId, LocalDate dt) {
    return bronzePrefix(sourceId, dt) + "_manifest.json";
  }

  /** Content-addressed: the same rows always get the same name, changed rows a new one. */
  public static String bronzeFile(String sourceId, LocalDate dt, String chunkId, String sha256) {
    return bronzePrefix(sourceId, dt) + "part-" + chunkId(chunkId) + "-" + sha8(sha256) + ".parquet";
  }

  public static String quarantinePrefix(String sourceId, LocalDate dt) {
    return "quarantine/bronze/source_id=" + id("sourceId", sourceId) + "/dt=" + dt + "/";
  }

  /**
   * Content-addressed like Bronze files: a later attempt that fails (a quality gate, a source
   * error) writes a new name instead of overwriting the file the partition's manifest names.
   */
  public static String quarantineFile(String sourceId, LocalDate dt, String chunkId, String sha256) {
    return quarantinePrefix(sourceId, dt) + "part-" + chunkId(chunkId) + "-" + sha8(sha256) + ".jsonl";
  }

  public static String runPrefix(String runId) {
    return "runs/run_id=" + runId(runId) + "/";
  }

  public static String extractItems(String runId) {
    return runPrefix(runId) + "extract-items.json";
  }

  /** The source schema versions a run reads with ({@code dev.featurepipe.schema.RunSchemas}). */
  public static String sourceSchemas(String runId) {
    return runPrefix(runId) + "source-schemas.json";
  }

  /** The Extract Distributed Map's ResultWriter prefix (daily.asl.json builds the same string). */
  public static String extractMapPrefix(String runId) {
    return runPrefix(runId) + "extract-map/";
  }

  public static String extractResult(String runId, String sourceId, String chunkId) {
    return runPrefix(runId) + "extract/" + id("sourceId", sourceId) + "/" + chunkId(chunkId) + ".json";
  }

  public static String transformResult(String runId, String group, int shard, int shardCount) {
    return runPrefix(runId) + "transform/" + id("group", group) + "/" + shardName(shard, shardCount)
        + ".json";
  }

  public static String commitResult(String runId, String group) {
    return runPrefix(runId) + "commit/" + id("group", group) + ".json";
  }

  public static String loadResult(String runId, String group, int shard, int shardCount) {
    return runPrefix(runId) + "load/" + id("group", group) + "/" + shardName(shard, shardCount)
        + ".json";
  }

  /**
   * One Bronze file's rows for one group, split by Transform shard (see transform.ShuffleFile).
   * Under {@code tmp/}, which a lifecycle rule empties after 7 days: an intermediate, never read
   * after the run that wrote it commits. {@code contentHash} covers everything the bytes depend on.
   */
  public static String shuffleFile(String group, LocalDate dt, String contentHash) {
    return "tmp/shuffle/" + id("group", group) + "/dt=" + dt + "/" + contentHash + ".fpshuffle";
  }

  /** The shuffle Distributed Map's item list and ResultWriter prefix (daily.asl.json builds the same string). */
  public static String shuffleItems(String runId) {
    return runPrefix(runId) + "shuffle-items.json";
  }

  public static String runRecord(String runId) {
    return runPrefix(runId) + "run.json";
  }

  /** A run's quality reports: {@code bronze.json} (source rules) and the readable {@code quality.html}. */
  public static String qualityPrefix(String runId) {
    return runPrefix(runId) + "quality/";
  }

  public static String bronzeQualityReport(String runId) {
    return qualityPrefix(runId) + "bronze.json";
  }

  public static String qualityHtml(String runId) {
    return qualityPrefix(runId) + "quality.html";
  }

  /** One chunk's sorted key hashes for the IsUnique rule at {@code ruleIndex} of its source. */
  public static String qualityKeyHashes(String runId, String sourceId, String chunkId, int ruleIndex) {
    return qualityPrefix(runId) + "keys/source_id=" + id("sourceId", sourceId) + "/" + chunkId(chunkId) + "-rule"
        + ruleIndex + ".bin";
  }

  /** The accepted distribution a source's DistributionDrift rule on {@code column} compares with. */
  /** A feature group's quality report of a run (its feature rules' verdicts before publishing). */
  public static String featureQualityReport(String runId, String group) {
    return qualityPrefix(runId) + "features-" + id("group", group) + ".json";
  }

  public static String featureQualityHtml(String runId, String group) {
    return qualityPrefix(runId) + "features-" + id("group", group) + ".html";
  }

  /** The accepted distribution of a feature column (a group's DistributionDrift rule). */
  public static String featureQualityReference(String group, String column) {
    return "quality/reference/group=" + id("group", group) + "/" + check("column", column, COLUMN) + ".json";
  }

  public static String qualityReference(String sourceId, String column) {
    return "quality/reference/source_id=" + id("sourceId", sourceId) + "/" + check("column", column, COLUMN) + ".json";
  }

  /** Iceberg table location of a feature group version. */
  public static String silverTableLocation(String lakeBucket, String group, int version) {
    return "s3://" + lakeBucket + "/silver/" + id("group", group) + "/v_" + version;
  }

  /**
   * Iceberg table location of a group version's daily tiles: a sibling of the feature table's, not
   * inside it, so neither table's orphan-file cleanup can see the other's files.
   */
  public static String silverTilesTableLocation(String lakeBucket, String group, int version) {
    return "s3://" + lakeBucket + "/silver/" + id("group", group) + "/v_" + version + "_tiles";
  }

  /** A tile file of one bucket of one {@code dt} partition, named by its content. */
  public static String silverTilesFile(
      String group, int version, LocalDate dt, String entity, int bucket, String sha256) {
    return "silver/" + id("group", group) + "/v_" + version + "_tiles/data/dt=" + dt + "/"
        + id("entity", entity) + "_bucket=" + bucket + "/part-" + String.format(Locale.ROOT, "%05d", bucket)
        + "-" + sha8(sha256) + ".parquet";
  }

  public static String silverFile(
      String group, int version, LocalDate dt, String entity, int bucket, String sha256) {
    return "silver/" + id("group", group) + "/v_" + version + "/data/dt=" + dt + "/"
        + id("entity", entity) + "_bucket=" + bucket + "/part-" + String.format(Locale.ROOT, "%05d", bucket)
        + "-" + sha8(sha256) + ".parquet";
  }

  private static String shardName(int shard, int shardCount) {
    if (shardCount < 1 || shard < 0 || shard >= shardCount) {
      throw new InvalidInput("shard must be in [0, shardCount), got shard " + shard + " of " + shardCount);
    }
    return String.format(Locale.ROOT, "shard-%05d-of-%05d", shard, shardCount);
  }

  private static String sha8(String sha256) {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("[BUG] expected a SHA-256 hex digest, got " + sha256);
    }
    return sha256.substring(0, 8);
  }

  private static String check(String what, String value, Pattern pattern) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new InvalidInput(what + ": must match " + pattern.pattern() + ", got " + value);
    }
    return value;
  }
}
