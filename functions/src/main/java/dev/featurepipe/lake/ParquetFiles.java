package dev.featurepipe.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.inmemory.InMemoryInputFile;
import org.apache.iceberg.inmemory.InMemoryOutputFile;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;

/**
 * Writes and reads Parquet with every setting that shapes the bytes pinned here, so the same rows
 * always become the same file (DESIGN.md section 5). Files are built in memory: a Bronze chunk or a
 * Silver bucket is sized to fit a Lambda, and whole-object PUTs make the content hash (and so the
 * file name) known before the object exists.
 */
public final class ParquetFiles {

  /**
   * Pinned writer settings. ZSTD level 3: about gzip's ratio at several times its speed. 128 MiB
   * row groups and 1 MiB pages are parquet-java's defaults, pinned so a library upgrade cannot move
   * them silently.
   */
  public static final Map<String, String> WRITER_PROPERTIES =
      new TreeMap<>(
          Map.of(
              "write.parquet.compression-codec", "zstd",
              "write.parquet.compression-level", "3",
              "write.parquet.row-group-size-bytes", Integer.toString(128 * 1024 * 1024),
              "write.parquet.page-size-bytes", Integer.toString(1024 * 1024),
              "write.parquet.page-row-limit", "20000",
              "write.parquet.dict-size-bytes", Integer.toString(2 * 1024 * 1024)));

  private ParquetFiles() {}

  /** Rows must already be in the caller's total order; this writes them in the order given. */
  public static byte[] write(Schema schema, Iterable<Record> rows) {
    InMemoryOutputFile out = new InMemoryOutputFile();
    try {
      FileAppender<Record> appender =
          Parquet.write(out)
              .schema(schema)
              .setAll(WRITER_PROPERTIES)
              .createWriterFunc(GenericParquetWriter::create)
              .build();
      try (appender) {
        appender.addAll(rows);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("[BUG] in-memory Parquet write failed", e);
    }
    return out.toByteArray();
  }

  /** Reads the projected columns of every row, in file order. */
  public static List<Record> read(byte[] bytes, Schema projection) {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> it =
        Parquet.read(new InMemoryInputFile(bytes))
            .project(projection)
            .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(projection, fileSchema))
            .build()) {
      for (Record r : it) {
        rows.add(r.copy());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Parquet file", e);
    }
    return rows;
  }
}
