package dev.featurepipe.gold;

import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.lake.LakeLayout;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The lake keys of Gold training sets (DESIGN.md section 3), beside {@link LakeLayout}'s: data under
 * {@code gold/model_version=<mv>/run_id=<rid>/}, the build's working files under the run's
 * {@code runs/run_id=<rid>/training/}, rejected label rows under {@code quarantine/gold/}. Every id
 * is validated here, so no caller builds a key from unchecked input.
 */
public final class GoldLayout {

  /** Model versions name directories: letters, digits, {@code . _ -}, as run ids. */
  static final Pattern MODEL_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private GoldLayout() {}

  public static String modelVersion(String value) {
    if (value == null || !MODEL_VERSION.matcher(value).matches()) {
      throw new InvalidInput("modelVersion: must match " + MODEL_VERSION.pattern() + ", got " + value);
    }
    return value;
  }

  public static String prefix(String modelVersion, String runId) {
    return "gold/model_version=" + modelVersion(modelVersion) + "/run_id=" + LakeLayout.runId(runId) + "/";
  }

  /** The training set's switch: readers read the files it lists, never a listing. */
  public static String manifest(String modelVersion, String runId) {
    return prefix(modelVersion, runId) + "_manifest.json";
  }

  /** Content-addressed: the same rows of the same part always get the same name. */
  public static String partFile(String modelVersion, String runId, int part, String sha256) {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("[BUG] expected a SHA-256 hex digest, got " + sha256);
    }
    return prefix(modelVersion, runId) + "part-" + partName(part) + "-" + sha256.substring(0, 8) + ".parquet";
  }

  static String trainingPrefix(String runId) {
    return LakeLayout.runPrefix(runId) + "training/";
  }

  /** The plan every step of the build reads: groups with pinned snapshot ids, parts, output schema. */
  public static String plan(String runId) {
    return trainingPrefix(runId) + "plan.json";
  }

  /** The BuildAllTrainingParts Distributed Map's ItemReader input. */
  public static String items(String runId) {
    return trainingPrefix(runId) + "items.json";
  }

  /** One part's label rows, normalised and in the training set's order. */
  static String labelPart(String runId, int part) {
    return trainingPrefix(runId) + "labels/part-" + partName(part) + ".parquet";
  }

  static String partResult(String runId, int part) {
    return trainingPrefix(runId) + "parts/part-" + partName(part) + ".json";
  }

  /** Label rows that could not be used, one JSON line each with its reason. */
  public static String quarantine(String modelVersion, String runId) {
    return "quarantine/gold/model_version=" + modelVersion(modelVersion) + "/run_id=" + LakeLayout.runId(runId)
        + "/labels.jsonl";
  }

  private static String partName(int part) {
    if (part < 0 || part > 99_999) {
      throw new IllegalArgumentException("[BUG] part must be in [0, 99999], got " + part);
    }
    return String.format(Locale.ROOT, "%05d", part);
  }
}
