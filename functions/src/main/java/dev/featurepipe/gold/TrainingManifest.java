package dev.featurepipe.gold;

import dev.featurepipe.lake.FileEntry;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The switch of a training set, {@code gold/model_version=<mv>/run_id=<rid>/_manifest.json}: readers
 * read exactly these files, in this order (part order, which is the rows' total order). Everything
 * needed to rebuild it bit for bit is here: the labels object and its SHA-256, the Silver snapshot id
 * of every group, the config hashes and code version.
 */
public record TrainingManifest(
    String layer,
    String modelVersion,
    String runId,
    List<FileEntry> files,
    long rows,
    String schema,
    String schemaFingerprint,
    String rowOrder,
    String pointInTime,
    List<GroupInput> groups,
    LabelsRead labels,
    String trainingConfigSha256,
    String pipelineConfigSha256,
    String codeVersion) {

  public TrainingManifest {
    files = List.copyOf(files);
    groups = List.copyOf(groups);
  }

  /**
   * A feature group version as read: its Silver table, the pinned snapshot with the run id and config
   * hash its summary records (the daily run that wrote it), which labels column joined its entity
   * column, and its feature columns in output order (prefixed {@code <group>__}).
   */
  public record GroupInput(String group, String table, long snapshotId, String snapshotRunId,
      String snapshotConfigSha256, String entityColumn, String keyColumn, List<String> features) {
    public GroupInput {
      features = List.copyOf(features);
    }
  }

  /**
   * The labels as read: where, their SHA-256 and size, the rows read, used and quarantined (by
   * reason), and the quarantine file when there is one.
   */
  public record LabelsRead(String uri, String format, String timeColumn, String labelColumn, String labelType,
      String sha256, long bytes, long rows, long used, long quarantined, SortedMap<String, Long> rejectReasons,
      String quarantineKey) {
    public LabelsRead {
      rejectReasons = new TreeMap<>(rejectReasons);
    }
  }
}
