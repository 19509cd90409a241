package dev.featurepipe.lake;

import dev.featurepipe.extract.ChunkResult;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.ops.Json;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Seals a Bronze partition once every Extract item succeeded: reads each chunk's result (the plan
 * says which, so nothing is listed), writes {@code _manifest.json} last (the switch), then deletes
 * files of earlier attempts that the new manifest no longer names. In two steps, {@link #prepare}
 * and {@link #commit}, so the quality gate can decide between them.
 */
public final class BronzeSealer {

  /** What sealing produced, for the workflow state (small). */
  public record Sealed(String manifestKey, long rows, long quarantined, int files, List<String> deleted) {}

  private final LakeStore lake;

  public BronzeSealer(LakeStore lake) {
    this.lake = lake;
  }

  /**
   * A partition ready to seal: its chunks' results (sorted by chunk id) and the manifest that will
   * switch it. Nothing is written until {@link #commit}, so a quality gate can look at the chunks
   * first and leave the previous manifest in place.
   */
  public record Prepared(List<ChunkResult> chunks, PartitionManifest manifest, LocalDate dt) {
    public Prepared {
      chunks = List.copyOf(chunks);
    }
  }

  /**
   * {@code schema} names the schema the chunks were written with (a registered {@code
   * <subject>.v<N>}, or the source's inline columns) and {@code schemaFingerprint} is its {@link
   * dev.featurepipe.schema.SchemaFingerprint}; both go into the manifest.
   */
  public Sealed seal(String runId, LocalDate dt, String sourceId, String schema, String schemaFingerprint,
      List<ExtractItem> items) {
    return commit(prepare(runId, dt, sourceId, schema, schemaFingerprint, items));
  }

  /** Reads the source's chunk results of the run (the plan says which) and builds the manifest, writing nothing. */
  public Prepared prepare(String runId, LocalDate dt, String sourceId, String schema, String schemaFingerprint,
      List<ExtractItem> items) {
    List<ChunkResult> chunks = new ArrayList<>();
    for (ExtractItem item : items) {
      if (item.sourceId().equals(sourceId)) {
        chunks.add(lake.getJson(LakeLayout.extractResult(runId, sourceId, item.chunkId()), ChunkResult.class));
      }
    }
    chunks.sort(Comparator.comparing(ChunkResult::chunkId));
    List<FileEntry> files = new ArrayList<>();
    List<FileEntry> quarantineFiles = new ArrayList<>();
    List<PartitionManifest.Input> inputs = new ArrayList<>();
    TreeMap<String, Long> reasons = new TreeMap<>();
    long rows = 0;
    long quarantined = 0;
    for (ChunkResult c : chunks) {
      files.add(c.bronze());
      if (c.quarantine() != null) {
        quarantineFiles.add(c.quarantine());
      }
      inputs.add(new PartitionManifest.Input(c.chunkId(), c.sourceBucket(), c.sourceKey(), c.sourceEtag(),
          c.sourceBytes(), c.range()));
      rows += c.bronze().rows();
      quarantined += c.quarantined();
      c.rejectReasons().forEach((k, v) -> reasons.merge(k, v, Long::sum));
    }
    files.sort(Comparator.comparing(FileEntry::key));
    quarantineFiles.sort(Comparator.comparing(FileEntry::key));
    inputs.sort(Comparator.comparing(PartitionManifest.Input::chunkId));
    return new Prepared(chunks, new PartitionManifest("bronze", sourceId, dt.toString(), runId, schema,
        schemaFingerprint, files, quarantineFiles, inputs, rows, quarantined, reasons), dt);
  }

  /** Writes the manifest (the switch), then deletes files of earlier attempts it no longer names. */
  public Sealed commit(Prepared prepared) {
    PartitionManifest manifest = prepared.manifest();
    String sourceId = manifest.sourceId();
    LocalDate dt = prepared.dt();
    String manifestKey = LakeLayout.bronzeManifest(sourceId, dt);
    lake.putJson(manifestKey, manifest);

    List<String> deleted = new ArrayList<>();
    Set<String> keep = new HashSet<>();
    keep.add(manifestKey);
    manifest.files().forEach(f -> keep.add(f.key()));
    manifest.quarantineFiles().forEach(f -> keep.add(f.key()));
    Set<String> stale = new TreeSet<>();
    for (String key : lake.list(LakeLayout.bronzePrefix(sourceId, dt))) {
      if (!keep.contains(key)) stale.add(key);
    }
    for (String key : lake.list(LakeLayout.quarantinePrefix(sourceId, dt))) {
      if (!keep.contains(key)) stale.add(key);
    }
    for (String key : stale) {
      lake.delete(key);
      deleted.add(key);
    }
    return new Sealed(manifestKey, manifest.rows(), manifest.quarantined(), manifest.files().size(), deleted);
  }

  public PartitionManifest read(String manifestKey) {
    return Json.read(lake.get(manifestKey), PartitionManifest.class);
  }
}
