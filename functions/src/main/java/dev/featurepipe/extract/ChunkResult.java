package dev.featurepipe.extract;

import dev.featurepipe.lake.FileEntry;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What extracting one chunk produced, written to {@code runs/} for the SealBronze step. {@code
 * records} counts everything the connector read (rows plus rejections); {@code quarantine} is null
 * when nothing was rejected. The source fields are null for sources that are not objects. {@code
 * inputFingerprint} covers the planned item, the config and the code: a rerun whose item has the
 * same fingerprint reuses this result instead of reading the source again. {@code quality} holds
 * what the source's quality rules measured in the chunk (null when the source has none).
 */
public record ChunkResult(
    String sourceId,
    String chunkId,
    String sourceBucket,
    String sourceKey,
    String sourceEtag,
    long sourceBytes,
    long records,
    FileEntry bronze,
    FileEntry quarantine,
    long quarantined,
    SortedMap<String, Long> rejectReasons,
    String inputFingerprint,
    com.fasterxml.jackson.databind.JsonNode range,
    dev.featurepipe.quality.ChunkQuality quality) {

  public ChunkResult {
    rejectReasons = new TreeMap<>(rejectReasons);
  }
}
