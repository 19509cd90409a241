package dev.featurepipe.lake;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The switch of a Bronze partition: readers read exactly these files, never a listing. Files and
 * inputs are sorted by key; {@code rejectReasons} counts quarantined lines by reason.
 */
public record PartitionManifest(
    String layer,
    String sourceId,
    String dt,
    String runId,
    String schema,
    String schemaFingerprint,
    List<FileEntry> files,
    List<FileEntry> quarantineFiles,
    List<Input> inputs,
    long rows,
    long quarantined,
    SortedMap<String, Long> rejectReasons) {

  public PartitionManifest {
    files = List.copyOf(files);
    quarantineFiles = List.copyOf(quarantineFiles);
    inputs = List.copyOf(inputs);
    rejectReasons = new TreeMap<>(rejectReasons);
  }

  /**
   * A chunk this partition was extracted from: a source object ({@code bucket}, {@code key},
   * {@code etag}, {@code bytes}) and/or the connector's {@code range} (a key range of a table, a
   * byte range, an API partition). Inputs are sorted by chunk id.
   */
  public record Input(String chunkId, String bucket, String key, String etag, long bytes,
      com.fasterxml.jackson.databind.JsonNode range) {}
}
