package dev.featurepipe.extract;

import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;

/**
 * A kind of source (gzip JSON Lines in S3, a JDBC table, a paginated REST API, ...), configured
 * for one {@code sources[]} entry of pipeline.yaml. It plans a date's chunks for the Extract Map and
 * reads one chunk as rows of its Bronze schema; {@link BronzeChunkWriter} turns those rows into the
 * chunk's Bronze Parquet file, quarantine file and result, the same way for every kind.
 *
 * <p>Contract: chunk ids derive from the source's data (object keys, key ranges, partitions), never
 * from positions in a listing, so adding data never renames other chunks; {@link #read} sends every
 * record it sees to the sink, as a row or as a rejection, and drops nothing; an unreachable source
 * throws {@code SourceUnavailable}.
 */
public interface SourceConnector {

  /** The day's chunks, sorted by chunk id. */
  List<ExtractItem> plan(LocalDate dt);

  /** The schema Bronze rows are written with (field ids fixed forever). */
  Schema bronzeSchema();

  /** A total order of Bronze rows, so output never depends on the order they were read in. */
  Comparator<Record> bronzeOrder();

  /**
   * The source's schema as it is now, looked up before any row is read (a table's column metadata,
   * the CSV headers or Parquet footers of the {@code planned} objects), for the schema registry to
   * compare with the registered version; empty for kinds whose records carry no schema (JSON lines,
   * REST, CDC), which are checked value by value as they are read.
   */
  default java.util.Optional<dev.featurepipe.schema.ObservedSchema> observeSchema(List<ExtractItem> planned) {
    return java.util.Optional.empty();
  }

  /** Reads one planned chunk into the sink. */
  void read(ExtractItem item, LocalDate dt, RowSink sink);

  /**
   * Called once the date's Bronze partition manifest names every chunk of {@code planned}: the
   * moment a connector may advance its checkpoint (a JDBC watermark), since the rows up to it are
   * now safely in Bronze. Doing it any earlier could skip rows of a chunk that later failed.
   */
  default void sealed(List<ExtractItem> planned) {}

  /**
   * Called by SealBronze right after this source's Bronze partition for {@code dt} was sealed by
   * run {@code runId} ({@code manifestKey} names every chunk of the day): where a connector writes a
   * partition that needs the whole day, such as CDC's end-of-day table state. Must derive its bytes
   * from sealed Bronze only; returns the manifest keys it wrote, sorted.
   */
  default List<String> deriveFromSealed(String runId, LocalDate dt, String manifestKey) {
    return List.of();
  }

  /**
   * True when a partition {@link #deriveFromSealed} wrote for {@code dt} no longer follows from
   * what it was built on (a backfill changed an earlier day): the date must be recomputed even if
   * its own source objects did not change.
   */
  default boolean derivedStale(LocalDate dt) {
    return false;
  }

  /** Where read rows and rejected records go. */
  interface RowSink {
    void row(Record row);

    /** {@code position}: where the record was (line number, row number, offset); {@code raw}: its text, or null. */
    void reject(long position, Rejection rejection, String raw);
  }
}
