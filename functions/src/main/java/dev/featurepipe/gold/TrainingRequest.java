package dev.featurepipe.gold;

import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.lake.LakeLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The input of the training state machine (PlanTrainingSet's event): a labels table, the feature
 * group versions to join ({@code user_activity_v1}, the Silver table names), and the model version
 * the set is for.
 *
 * <ul>
 *   <li>{@code keyColumns}: per group, the labels column holding its entity key; a group not named
 *       uses the labels column named like its Silver entity column ({@code user_id}).
 *   <li>{@code snapshotIds}: per group, the Silver snapshot to read (Iceberg time travel), to rebuild
 *       an earlier training set bit for bit; a group not named reads its current snapshot.
 *   <li>{@code runId}: optional; by default derived from the config, the labels' SHA-256 and the
 *       snapshot ids, so the same inputs always land in the same place.
 *   <li>{@code rowsPerPart}: label rows per part file and per BuildTrainingPart item (default
 *       {@value #ROWS_PER_PART_DEFAULT}); it decides where files split, so it is part of the config hash.
 *   <li>{@code partConcurrency}: how many parts build at once; never changes a byte.
 * </ul>
 */
public record TrainingRequest(
    String runId,
    String modelVersion,
    LabelSource labels,
    List<String> groups,
    SortedMap<String, String> keyColumns,
    SortedMap<String, Long> snapshotIds,
    Integer rowsPerPart,
    Integer partConcurrency) {

  /** About 1 M label rows with two groups of ~30 features: tens of MB of Parquet, well inside a 1,769 MB Lambda. */
  public static final int ROWS_PER_PART_DEFAULT = 1_000_000;
  public static final int PART_CONCURRENCY_DEFAULT = 8;
  static final Pattern GROUP = Pattern.compile("[a-z][a-z0-9_]{0,62}_v[0-9]{1,6}");

  public TrainingRequest {
    groups = groups == null ? List.of() : List.copyOf(groups);
    keyColumns = keyColumns == null ? new TreeMap<>() : new TreeMap<>(keyColumns);
    snapshotIds = snapshotIds == null ? new TreeMap<>() : new TreeMap<>(snapshotIds);
    rowsPerPart = rowsPerPart == null ? ROWS_PER_PART_DEFAULT : rowsPerPart;
    partConcurrency = partConcurrency == null ? PART_CONCURRENCY_DEFAULT : partConcurrency;
    List<String> out = new ArrayList<>();
    if (runId != null && !runId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      out.add("runId: must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got " + runId);
    }
    if (modelVersion == null || !GoldLayout.MODEL_VERSION.matcher(modelVersion).matches()) {
      out.add("modelVersion: must match " + GoldLayout.MODEL_VERSION.pattern() + ", got " + modelVersion);
    }
    if (labels == null) {
      out.add("labels: required, e.g. {\"uri\": \"s3://bucket/labels.csv\"}");
    } else {
      out.addAll(labels.violations());
    }
    if (groups.isEmpty()) {
      out.add("groups: name at least one feature group version, e.g. [\"user_activity_v1\"]");
    }
    TreeSet<String> seen = new TreeSet<>();
    for (int i = 0; i < groups.size(); i++) {
      String g = groups.get(i);
      if (g == null || !GROUP.matcher(g).matches()) {
        out.add("groups[" + i + "]: must be <group>_v<N> like user_activity_v1, got " + g);
      } else if (!seen.add(g)) {
        out.add("groups[" + i + "]: " + g + " is listed twice");
      }
    }
    for (String g : keyColumns.keySet()) {
      if (!seen.contains(g)) {
        out.add("keyColumns." + g + ": names no group of groups " + groups);
      } else if (keyColumns.get(g) == null || keyColumns.get(g).isBlank()) {
        out.add("keyColumns." + g + ": must name a labels column");
      }
    }
    for (String g : snapshotIds.keySet()) {
      if (!seen.contains(g)) {
        out.add("snapshotIds." + g + ": names no group of groups " + groups);
      } else if (snapshotIds.get(g) == null) {
        out.add("snapshotIds." + g + ": must be a snapshot id");
      }
    }
    if (rowsPerPart < 1) {
      out.add("rowsPerPart: must be at least 1, got " + rowsPerPart);
    }
    if (partConcurrency < 1 || partConcurrency > 1000) {
      out.add("partConcurrency: must be in [1, 1000], got " + partConcurrency);
    }
    if (!out.isEmpty()) {
      throw new InvalidInput("invalid training set request:\n" + String.join("\n", out));
    }
    if (runId != null) {
      LakeLayout.runId(runId);
    }
  }
}
