package dev.featurepipe.extract;

import dev.featurepipe.lake.FileEntry;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What extracting one chunk produced, written to {@code runs/} for the SealBronze step. {@code
 * quarantine} is null when every line was valid.
 */
public record ChunkResult(
    String sourceId,
    String chunkId,
    String sourceBucket,
    String sourceKey,
    String sourceEtag,
    long sourceBytes,
    long lines,
    long blankLines,
    FileEntry bronze,
    FileEntry quarantine,
    long quarantined,
    SortedMap<String, Long> rejectReasons) {

  public ChunkResult {
    rejectReasons = new TreeMap<>(rejectReasons);
  }
}
