package dev.featurepipe.lineage;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code runs/run_id=<id>/run.json}: the record of a run's latest attempt. Status SUCCEEDED,
 * PARTIAL (some sources were down: their groups are in {@code staleGroups}) or FAILED. For a successful run it
 * lists every output data file with its SHA-256 and a combined digest over them, the number that
 * reruns compare. {@code inputFingerprint} lets the next plan of the same run id see that nothing
 * changed.
 */
public record RunRecord(
    String runId,
    String date,
    String status,
    String codeVersion,
    String configSha256,
    String inputFingerprint,
    List<Extract> sources,
    List<dev.featurepipe.run.Plan.UnavailableSource> unavailableSources,
    List<String> staleGroups,
    List<Group> groups,
    List<Output> outputs,
    String combinedSha256,
    Failure failure) {

  public RunRecord {
    sources = sources == null ? List.of() : List.copyOf(sources);
    unavailableSources = unavailableSources == null ? List.of() : List.copyOf(unavailableSources);
    staleGroups = staleGroups == null ? List.of() : List.copyOf(staleGroups);
    groups = groups == null ? List.of() : List.copyOf(groups);
    outputs = outputs == null ? List.of() : List.copyOf(outputs);
  }

  public record Extract(String sourceId, String manifestKey, int sourceObjects, long sourceBytes, long rows,
      long quarantined, SortedMap<String, Long> rejectReasons) {
    public Extract {
      rejectReasons = new TreeMap<>(rejectReasons);
    }
  }

  public record Group(String group, String table, long snapshotId, long silverRows, int silverFiles,
      long onlineItems, long onlineBatches, long retriedItems, long throttledRequests, long skippedItems) {}

  public record Output(String layer, String key, long rows, long bytes, String sha256) {}

  /**
   * {@code items}: for a failed Distributed Map, each failed child's own typed error and message and
   * the source keys it was extracting (the Map itself only reports a threshold error).
   */
  public record Failure(String error, String message, List<ItemFailure> items) {
    public Failure {
      items = items == null ? List.of() : List.copyOf(items);
    }
  }

  public record ItemFailure(String error, String message, List<String> sourceKeys) {
    public ItemFailure {
      sourceKeys = sourceKeys == null ? List.of() : List.copyOf(sourceKeys);
    }
  }
}
