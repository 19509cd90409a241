package dev.featurepipe.extract;

import dev.featurepipe.lake.ParquetFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Sorts a chunk's rows by the connector's order with bounded heap: past {@code maxRowsInMemory}
 * rows it sorts what it holds and spills it to a local Parquet run file (Lambda's {@code /tmp}),
 * then merges the runs. The merge breaks ties by run, and runs are in arrival order, so the result
 * is exactly what a stable in-memory sort of all rows gives: the Bronze bytes do not depend on where
 * runs were cut. A row of a typical source takes 400-600 bytes of heap here, so the default
 * {@link #MAX_ROWS_IN_MEMORY_DEFAULT} keeps a chunk's rows near 250 MB whatever its size.
 */
public final class SpillingSorter implements AutoCloseable {

  /** About 250 MB of rows: a 1,769 MB Extract Lambda keeps room for the reader and the Parquet output. */
  public static final int MAX_ROWS_IN_MEMORY_DEFAULT = 500_000;

  private final Schema schema;
  private final Comparator<Record> order;
  private final int maxRowsInMemory;
  private final Path spillDir;
  private final List<Record> buffer = new ArrayList<>();
  private final List<Path> runs = new ArrayList<>();
  private final List<CloseableIterable<Record>> open = new ArrayList<>();
  private long size;

  public SpillingSorter(Schema schema, Comparator<Record> order, int maxRowsInMemory, Path spillDir) {
    if (maxRowsInMemory < 1) {
      throw new IllegalArgumentException("[BUG] maxRowsInMemory must be positive, got " + maxRowsInMemory);
    }
    this.schema = schema;
    this.order = order;
    this.maxRowsInMemory = maxRowsInMemory;
    this.spillDir = spillDir;
  }

  public void add(Record row) {
    buffer.add(row);
    size++;
    if (buffer.size() >= maxRowsInMemory) {
      spill();
    }
  }

  public long size() {
    return size;
  }

  /** How many runs went to disk (0: everything was sorted in memory). */
  public int spilledRuns() {
    return runs.size();
  }

  /** Every row added, in order; iterate once. */
  public Iterable<Record> sorted() {
    buffer.sort(order);
    if (runs.isEmpty()) {
      return buffer;
    }
    List<Iterator<Record>> sources = new ArrayList<>();
    for (Path run : runs) {
      CloseableIterable<Record> rows = ParquetFiles.stream(run, schema);
      open.add(rows);
      sources.add(rows.iterator());
    }
    sources.add(buffer.iterator()); // the newest rows: the last run
    return () -> new Merge(sources);
  }

  private void spill() {
    buffer.sort(order);
    try {
      Path run = Files.createTempFile(spillDir, "featurepipe-sort-run-", ".parquet");
      runs.add(run);
      Files.write(run, ParquetFiles.write(schema, buffer));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spill sorted rows to " + spillDir
          + " (Lambda: raise the function's EphemeralStorage)", e);
    }
    buffer.clear();
  }

  /** A k-way merge; equal rows come from the earlier run first, as a stable sort would place them. */
  private final class Merge implements Iterator<Record> {
    private record Head(Record row, int source) {}

    private final List<Iterator<Record>> sources;
    private final PriorityQueue<Head> heads = new PriorityQueue<>(
        Comparator.comparing(Head::row, order).thenComparingInt(Head::source));

    Merge(List<Iterator<Record>> sources) {
      this.sources = sources;
      for (int i = 0; i < sources.size(); i++) {
        advance(i);
      }
    }

    private void advance(int source) {
      Iterator<Record> it = sources.get(source);
      if (it.hasNext()) {
        // Readers may reuse their record objects between rows.
        heads.add(new Head(it.next().copy(), source));
      }
    }

    @Override
    public boolean hasNext() {
      return !heads.isEmpty();
    }

    @Override
    public Record next() {
      Head head = heads.poll();
      if (head == null) {
        throw new NoSuchElementException();
      }
      advance(head.source());
      return head.row();
    }
  }

  @Override
  public void close() {
    for (CloseableIterable<Record> rows : open) {
      try {
        rows.close();
      } catch (IOException e) {
        // closing a local file reader: nothing is lost, and the file is deleted next
      }
    }
    for (Path run : runs) {
      try {
        Files.deleteIfExists(run);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete sort run " + run, e);
      }
    }
  }
}
