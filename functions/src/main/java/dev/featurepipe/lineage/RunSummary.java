package dev.featurepipe.lineage;

import java.util.SortedMap;
import java.util.TreeMap;

/** PublishRun's output: the execution's result, small enough for any Step Functions payload. */
public record RunSummary(
    String runId,
    String date,
    String status,
    int sourceObjects,
    long sourceBytes,
    long bronzeRows,
    long quarantinedRows,
    long silverRows,
    long onlineItems,
    int outputFiles,
    long outputBytes,
    SortedMap<String, Long> snapshotIds,
    String combinedSha256,
    String runRecordKey) {

  public RunSummary {
    snapshotIds = new TreeMap<>(snapshotIds);
  }
}
