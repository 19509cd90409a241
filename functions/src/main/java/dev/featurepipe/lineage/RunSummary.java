package dev.featurepipe.lineage;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * PublishRun's output: the execution's result, small enough for any Step Functions payload. {@code
 * status} is SUCCEEDED or PARTIAL (some sources were down; their groups are stale). Online counts:
 * {@code onlineItems} written, {@code onlineSkipped} not written because a newer {@code as_of} was
 * stored, {@code onlineRetried} items sent again after {@code UnprocessedItems}, {@code
 * onlineThrottled} requests sent again after a throttling or server error.
 */
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
    long onlineSkipped,
    long onlineRetried,
    long onlineThrottled,
    int outputFiles,
    long outputBytes,
    SortedMap<String, Long> snapshotIds,
    String combinedSha256,
    String runRecordKey,
    java.util.List<String> unavailableSources,
    java.util.List<String> staleGroups) {

  public RunSummary {
    snapshotIds = new TreeMap<>(snapshotIds);
    unavailableSources = java.util.List.copyOf(unavailableSources);
    staleGroups = java.util.List.copyOf(staleGroups);
  }
}
