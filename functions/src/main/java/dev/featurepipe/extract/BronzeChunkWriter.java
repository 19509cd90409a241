package dev.featurepipe.extract;

import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import java.io.ByteArrayOutputStream;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;

/**
 * Turns what a connector reads from one chunk into the chunk's Bronze Parquet file (rows in the
 * connector's total order, content-addressed name), its quarantine file (one JSON line per
 * rejected record: position, reason, detail, raw text) and its result in {@code runs/}. The same for
 * every kind of source, so every source's Bronze obeys the same determinism and no-loss rules.
 */
public final class BronzeChunkWriter {

  private final LakeStore lake;
  private final int maxRowsInMemory;
  private final java.nio.file.Path spillDir;

  /** Rows past {@link SpillingSorter#MAX_ROWS_IN_MEMORY_DEFAULT} are sorted through the local temp dir. */
  public BronzeChunkWriter(LakeStore lake) {
    this(lake, SpillingSorter.MAX_ROWS_IN_MEMORY_DEFAULT, java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
  }

  public BronzeChunkWriter(LakeStore lake, int maxRowsInMemory, java.nio.file.Path spillDir) {
    this.lake = lake;
    this.maxRowsInMemory = maxRowsInMemory;
    this.spillDir = spillDir;
  }

  /**
   * The chunk's earlier result when its input fingerprint matches and the Bronze file it names is
   * still there with the same bytes; otherwise empty, and the chunk must be extracted.
   */
  public java.util.Optional<ChunkResult> reusable(ExtractItem item, String runId, String fingerprint) {
    return lake.find(LakeLayout.extractResult(runId, item.sourceId(), item.chunkId()))
        .map(bytes -> Json.read(bytes, ChunkResult.class))
        .filter(r -> fingerprint.equals(r.inputFingerprint()))
        .filter(r -> lake.find(r.bronze().key()).map(b -> Hashing.sha256Hex(b).equals(r.bronze().sha256())).orElse(false));
  }

  /** Fingerprint of what decides a chunk's output: the planned item, the config and the code version. */
  public static String fingerprint(ExtractItem item, String configSha256, String codeVersion) {
    return Hashing.sha256Hex((Json.string(item) + "\n" + configSha256 + "\n" + codeVersion)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public ChunkResult write(SourceConnector connector, ExtractItem item, String runId, LocalDate dt,
      String fingerprint) {
    try (SpillingSorter rows =
        new SpillingSorter(connector.bronzeSchema(), connector.bronzeOrder(), maxRowsInMemory, spillDir)) {
      return write(connector, item, runId, dt, fingerprint, rows);
    }
  }

  private ChunkResult write(SourceConnector connector, ExtractItem item, String runId, LocalDate dt,
      String fingerprint, SpillingSorter rows) {
    ByteArrayOutputStream quarantine = new ByteArrayOutputStream();
    TreeMap<String, Long> reasons = new TreeMap<>();
    long[] rejected = {0};
    connector.read(item, dt, new SourceConnector.RowSink() {
      @Override
      public void row(Record row) {
        rows.add(row);
      }

      @Override
      public void reject(long position, Rejection rejection, String raw) {
        rejected[0]++;
        reasons.merge(rejection.reason(), 1L, Long::sum);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("position", position);
        entry.put("reason", rejection.reason());
        entry.put("detail", rejection.detail());
        entry.put("raw", raw);
        quarantine.writeBytes(Json.bytes(entry));
        quarantine.write('\n');
      }
    });

    byte[] parquet = ParquetFiles.write(connector.bronzeSchema(), rows.sorted());
    FileEntry bronze = lake.put(
        LakeLayout.bronzeFile(item.sourceId(), dt, item.chunkId(), Hashing.sha256Hex(parquet)), parquet, rows.size(),
        "application/vnd.apache.parquet");
    FileEntry quarantined = rejected[0] == 0 ? null
        : lake.put(LakeLayout.quarantineFile(item.sourceId(), dt, item.chunkId()), quarantine.toByteArray(),
            rejected[0], "application/x-ndjson");
    ChunkResult result = new ChunkResult(item.sourceId(), item.chunkId(), item.bucket(), item.key(), item.etag(),
        item.size(), rows.size() + rejected[0], bronze, quarantined, rejected[0], reasons, fingerprint, item.range());
    lake.putJson(LakeLayout.extractResult(runId, item.sourceId(), item.chunkId()), result);
    return result;
  }
}
