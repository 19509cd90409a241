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
import java.util.List;
import java.util.TreeMap;
import dev.featurepipe.quality.ChunkQuality;
import dev.featurepipe.quality.RowChecker;
import dev.featurepipe.quality.SourceRule;
import dev.featurepipe.quality.SourceRules;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * Turns what a connector reads from one chunk into the chunk's Bronze Parquet file (rows in the
 * connector's total order, content-addressed name), its quarantine file (one JSON line per
 * rejected record: position, reason, detail, raw text; content-addressed too) and its result in {@code runs/}. The same for
 * every kind of source, so every source's Bronze obeys the same determinism and no-loss rules.
 */
public final class BronzeChunkWriter {

  /** The column connectors of line-based sources fill with the record's line: a quarantined row's position. */
  static final String SOURCE_LINE = "_source_line";

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
        .filter(r -> lake.find(r.bronze().key()).map(b -> Hashing.sha256Hex(b).equals(r.bronze().sha256())).orElse(false))
        .filter(r -> r.quality() == null || r.quality().rules().stream()
            .allMatch(s -> s.keyHashes() == null || lake.exists(s.keyHashes().key())));
  }

  /** Fingerprint of what decides a chunk's output: the planned item, the config and the code version. */
  public static String fingerprint(ExtractItem item, String configSha256, String codeVersion) {
    return Hashing.sha256Hex((Json.string(item) + "\n" + configSha256 + "\n" + codeVersion)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** A chunk of a source without quality rules. */
  public ChunkResult write(SourceConnector connector, ExtractItem item, String runId, LocalDate dt,
      String fingerprint) {
    return write(connector, item, runId, dt, fingerprint, new SourceRules(item.sourceId(), List.of()));
  }

  /**
   * A chunk, with the source's quality rules applied to each row as it is written: a row a
   * quarantine rule refuses goes to the quarantine file (reason {@code quality:<rule>:<column>}),
   * and every kept row is counted into the rules' statistics, stored in the result for SealBronze.
   */
  public ChunkResult write(SourceConnector connector, ExtractItem item, String runId, LocalDate dt,
      String fingerprint, SourceRules rules) {
    try (SpillingSorter rows =
        new SpillingSorter(connector.bronzeSchema(), connector.bronzeOrder(), maxRowsInMemory, spillDir)) {
      return write(connector, item, runId, dt, fingerprint, rows, rules);
    }
  }

  private ChunkResult write(SourceConnector connector, ExtractItem item, String runId, LocalDate dt,
      String fingerprint, SpillingSorter rows, SourceRules rules) {
    ByteArrayOutputStream quarantine = new ByteArrayOutputStream();
    TreeMap<String, Long> reasons = new TreeMap<>();
    long[] rejected = {0};
    Schema schema = connector.bronzeSchema();
    RowChecker checker = rules.isEmpty() ? null : new RowChecker(rules, schema);
    int sourceLine = schema.columns().indexOf(schema.findField(SOURCE_LINE));
    SourceConnector.RowSink sink = new SourceConnector.RowSink() {
      long seen;

      @Override
      public void row(Record row) {
        seen++;
        SourceRule broken = checker == null ? null : checker.check(row);
        if (broken == null) {
          rows.add(row);
        } else {
          Object line = sourceLine < 0 ? null : row.get(sourceLine);
          reject(line instanceof Long l ? l : seen, Rejection.of(broken.reason(), "sources[" + rules.sourceId()
              + "].quality[" + broken.index() + "] " + broken.label() + ": " + broken.threshold()), rowJson(schema, row));
        }
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
    };
    connector.read(item, dt, sink);
    ChunkQuality quality = checker == null ? null : checker.finish((ruleIndex, bytes) -> lake.put(
        LakeLayout.qualityKeyHashes(runId, item.sourceId(), item.chunkId(), ruleIndex), bytes, bytes.length / 8,
        "application/octet-stream"));

    byte[] parquet = ParquetFiles.write(connector.bronzeSchema(), rows.sorted());
    FileEntry bronze = lake.put(
        LakeLayout.bronzeFile(item.sourceId(), dt, item.chunkId(), Hashing.sha256Hex(parquet)), parquet, rows.size(),
        "application/vnd.apache.parquet");
    FileEntry quarantined = rejected[0] == 0 ? null
        : lake.put(LakeLayout.quarantineFile(item.sourceId(), dt, item.chunkId(),
            Hashing.sha256Hex(quarantine.toByteArray())), quarantine.toByteArray(), rejected[0], "application/x-ndjson");
    ChunkResult result = new ChunkResult(item.sourceId(), item.chunkId(), item.bucket(), item.key(), item.etag(),
        item.size(), rows.size() + rejected[0], bronze, quarantined, rejected[0], reasons, fingerprint, item.range(),
        quality);
    lake.putJson(LakeLayout.extractResult(runId, item.sourceId(), item.chunkId()), result);
    return result;
  }

  /**
   * A quarantined row as the quarantine file's {@code raw}: its columns as a JSON object (sorted
   * keys; numbers and booleans as such, every other value as its text).
   */
  static String rowJson(Schema schema, Record row) {
    TreeMap<String, Object> values = new TreeMap<>();
    List<Types.NestedField> columns = schema.columns();
    for (int i = 0; i < columns.size(); i++) {
      Object v = row.get(i);
      values.put(columns.get(i).name(), v == null || v instanceof Number || v instanceof Boolean ? v : v.toString());
    }
    return Json.string(values);
  }
}
