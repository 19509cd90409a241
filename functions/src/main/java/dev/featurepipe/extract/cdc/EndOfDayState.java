package dev.featurepipe.extract.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import dev.featurepipe.schema.SchemaFingerprint;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;

/**
 * A CDC table's state at the end of each day, kept in Bronze beside its change log:
 * {@code state(D) = applyChanges(state(D-1), changes(D))}, written at seal time as one Parquet file
 * sorted by key under {@code bronze/source_id=<id>__state/dt=D/} with its own {@code
 * _manifest.json} (layer {@code bronze_state}).
 *
 * <p>A partition of its own, not files inside the change log's: the change log's manifest, schema
 * fingerprint and orphan clean-up stay exactly as for every other source, and a reader of either
 * never meets rows of the other schema.
 *
 * <p>Chaining: the first day with sealed Bronze starts from an empty table (a DMS full load or a
 * Debezium snapshot arrives as inserts). Otherwise D-1 must have a sealed state, else this fails
 * and names the dates to run: jumping a gap would need each missing day replayed in turn (a delete
 * and a late insert of one key only resolve the same way day by day), which is that day's own run.
 *
 * <p>The manifest's inputs record the base ({@code base}: D-1's state manifest, its run and the
 * SHA-256 of its files) and the change log ({@code changes}: D's manifest and its files' SHA-256).
 * When either no longer matches what is sealed now, for instance after a backfill of D-1 changed
 * its state, {@link #stale} says so and the planner recomputes D.
 *
 * <p>Memory bounds the table: one SealBronze invocation holds the previous state, the day's change
 * log and the map being built. Measured on 2 vCPU (JDK 25, 1M keys of id, string, decimal(10,2)):
 * about 250-300 bytes of heap per row held, so a peak near 0.5-0.7 GB for 1M keys with a small day
 * of changes; replay 0.35-0.6M rows/s, Parquet write 0.17-0.46M rows/s (a 3 MB file), read
 * 0.3-1.1M rows/s, so 5-10 s per million keys. A 10 GB Lambda thus tops out near 10M narrow keys;
 * beyond that the state must be split by key hash (one file and one replay per bucket).
 */
final class EndOfDayState {

  static final String LAYER = "bronze_state";
  static final String BASE = "base";
  static final String CHANGES = "changes";

  private final String sourceId;
  private final String stateId;
  private final LakeStore lake;
  private final Schema changeLogSchema;
  private final Schema stateSchema;
  private final List<String> key;

  EndOfDayState(String sourceId, LakeStore lake, Schema changeLogSchema, List<String> key) {
    this.sourceId = sourceId;
    this.stateId = LakeLayout.stateSourceId(sourceId);
    this.lake = lake;
    this.changeLogSchema = changeLogSchema;
    this.stateSchema = CdcConnector.snapshotSchema(changeLogSchema);
    this.key = List.copyOf(key);
  }

  /** What a state is built from: D's sealed change log and D-1's state (null on the first day). */
  private record Inputs(String changeLogKey, PartitionManifest changeLog, String baseKey, PartitionManifest base) {

    /** Sorted by chunk id ({@code base} before {@code changes}), as every manifest's inputs. */
    List<PartitionManifest.Input> entries(String bucket) {
      List<PartitionManifest.Input> out = new ArrayList<>();
      if (base != null) {
        out.add(entry(BASE, bucket, baseKey, base));
      }
      out.add(entry(CHANGES, bucket, changeLogKey, changeLog));
      return out;
    }

    private static PartitionManifest.Input entry(String name, String bucket, String key, PartitionManifest m) {
      JsonNode range = JsonNodeFactory.instance.objectNode()
          .put("dt", m.dt())
          .put("run_id", m.runId())
          .put("sha256", filesSha256(m.files()));
      return new PartitionManifest.Input(name, bucket, key, null,
          m.files().stream().mapToLong(FileEntry::bytes).sum(), range);
    }
  }

  /** Builds and writes D's state; returns its manifest key. */
  String write(String runId, LocalDate dt, String changeLogManifestKey) {
    Inputs in = inputs(dt, changeLogManifestKey);
    List<Record> previous = in.base() == null ? List.of() : read(in.base().files(), stateSchema);
    List<Record> changes = read(in.changeLog().files(), changeLogSchema);
    List<Record> rows = CdcConnector.applyChanges(changes, previous, changeLogSchema, key);
    // An empty table has no file, as an empty change log has none (and parquet-java writes no file for no rows).
    List<FileEntry> files = new ArrayList<>();
    if (!rows.isEmpty()) {
      byte[] parquet = ParquetFiles.write(stateSchema, rows);
      files.add(lake.put(LakeLayout.bronzeFile(stateId, dt, "state", Hashing.sha256Hex(parquet)), parquet,
          rows.size(), "application/vnd.apache.parquet"));
    }
    PartitionManifest manifest = new PartitionManifest(LAYER, sourceId, dt.toString(), runId,
        "end_of_day_state:sources[" + sourceId + "]", SchemaFingerprint.of(stateSchema), files, List.of(),
        in.entries(lake.bucket()), rows.size(), 0, new TreeMap<>());
    String manifestKey = LakeLayout.bronzeManifest(stateId, dt);
    lake.putJson(manifestKey, manifest);
    // Orphans of earlier attempts, after the switch: the partition holds its manifest and at most one file.
    for (String k : lake.list(LakeLayout.bronzePrefix(stateId, dt))) {
      if (!k.equals(manifestKey) && files.stream().noneMatch(f -> f.key().equals(k))) {
        lake.delete(k);
      }
    }
    return manifestKey;
  }

  /**
   * True when D's change log is sealed but D's state is missing, or was built from another base or
   * change log than the ones sealed now (compared by content: run ids may differ).
   */
  boolean stale(LocalDate dt) {
    String changeLogKey = LakeLayout.bronzeManifest(sourceId, dt);
    if (lake.find(changeLogKey).isEmpty()) {
      return false;
    }
    Optional<PartitionManifest> state = manifest(LakeLayout.bronzeManifest(stateId, dt));
    if (state.isEmpty()) {
      return true;
    }
    try {
      return !identity(inputs(dt, changeLogKey).entries(lake.bucket())).equals(identity(state.get().inputs()));
    } catch (InvalidInput e) {
      return true; // D-1 lost its state: recomputing D reports why
    }
  }

  private Inputs inputs(LocalDate dt, String changeLogKey) {
    PartitionManifest changeLog = manifest(changeLogKey).orElseThrow(() -> new IllegalStateException(
        "[BUG] the change log of source " + sourceId + " for " + dt + " is not sealed: " + changeLogKey));
    LocalDate previous = dt.minusDays(1);
    String baseKey = LakeLayout.bronzeManifest(stateId, previous);
    Optional<PartitionManifest> base = manifest(baseKey);
    if (base.isEmpty()) {
      Optional<LocalDate> earlier = latestSealedBefore(dt);
      if (earlier.isPresent()) {
        throw new InvalidInput("source " + sourceId + ": cannot build the end-of-day state of " + dt + " because "
            + previous + " has no sealed state, yet the source has sealed Bronze for " + earlier.get()
            + "; state(D) is built on state(D-1), so run the daily workflow for each date without a state up to "
            + previous + " in date order, then rerun " + dt);
      }
    }
    return new Inputs(changeLogKey, changeLog, base.isPresent() ? baseKey : null, base.orElse(null));
  }

  /** The latest date before {@code dt} with a sealed change log or state of this source, if any. */
  private Optional<LocalDate> latestSealedBefore(LocalDate dt) {
    LocalDate latest = null;
    for (String id : List.of(sourceId, stateId)) {
      String prefix = "bronze/source_id=" + id + "/dt=";
      for (String k : lake.list(prefix)) {
        if (k.endsWith("/_manifest.json")) {
          LocalDate d = LocalDate.parse(k.substring(prefix.length(), prefix.length() + 10));
          if (d.isBefore(dt) && (latest == null || d.isAfter(latest))) {
            latest = d;
          }
        }
      }
    }
    return Optional.ofNullable(latest);
  }

  /** Reads files through their manifest entries, checking each one's bytes against its SHA-256. */
  private List<Record> read(List<FileEntry> files, Schema projection) {
    List<Record> rows = new ArrayList<>();
    for (FileEntry f : files) {
      byte[] bytes = lake.get(f.key());
      if (!Hashing.sha256Hex(bytes).equals(f.sha256())) {
        throw new IllegalStateException("s3://" + lake.bucket() + "/" + f.key() + " does not match the SHA-256 its "
            + "manifest records; it was overwritten outside the pipeline: rerun its date with force");
      }
      rows.addAll(ParquetFiles.read(bytes, projection));
    }
    return rows;
  }

  private Optional<PartitionManifest> manifest(String key) {
    return lake.find(key).map(b -> Json.read(b, PartitionManifest.class));
  }

  private static List<String> identity(List<PartitionManifest.Input> inputs) {
    return inputs.stream().map(i -> i.chunkId() + " " + i.key() + " " + i.range().path("sha256").asText()).toList();
  }

  /** One SHA-256 over the files' keys and hashes (in manifest order, sorted by key). */
  static String filesSha256(List<FileEntry> files) {
    StringBuilder b = new StringBuilder();
    for (FileEntry f : files) {
      b.append(f.key()).append(' ').append(f.sha256()).append('\n');
    }
    return Hashing.sha256Hex(b.toString().getBytes(StandardCharsets.UTF_8));
  }

}
