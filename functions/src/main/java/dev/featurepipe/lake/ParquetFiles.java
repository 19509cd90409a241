package dev.featurepipe.lake;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.inmemory.InMemoryInputFile;
import org.apache.iceberg.inmemory.InMemoryOutputFile;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

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

  /**
   * Rows must already be in the caller's total order; this writes them in the order given. The
   * footer is then made canonical (see {@link #canonicalFooter}).
   */
  public static byte[] write(Schema schema, Iterable<Record> rows) {
    java.util.Iterator<Record> iterator = rows.iterator(); // once: rows may be a single-use merge
    if (!iterator.hasNext()) {
      return emptyFile(schema);
    }
    InMemoryOutputFile out = new InMemoryOutputFile();
    try {
      FileAppender<Record> appender =
          Parquet.write(out)
              .schema(schema)
              .setAll(WRITER_PROPERTIES)
              .createWriterFunc(GenericParquetWriter::create)
              .build();
      try (appender) {
        appender.addAll(iterator);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("[BUG] in-memory Parquet write failed", e);
    }
    return canonicalFooter(out.toByteArray());
  }

  /**
   * A Parquet file with the schema and no row group. Iceberg's writer creates its file only with the
   * first row, so a chunk whose every record was quarantined would have no file at all; this writes
   * the footer parquet-java would, with the same {@code iceberg.schema} metadata as a file with rows.
   */
  private static byte[] emptyFile(Schema schema) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ParquetFileWriter writer = new ParquetFileWriter(new BytesOutputFile(bytes),
          ParquetSchemaUtil.convert(schema, "table"), ParquetFileWriter.Mode.CREATE, 0, 0);
      writer.start();
      writer.end(Map.of("iceberg.schema", SchemaParser.toJson(schema)));
    } catch (IOException e) {
      throw new UncheckedIOException("[BUG] in-memory Parquet write failed", e);
    }
    return bytes.toByteArray();
  }

  /** parquet-java's output file over a byte array, for {@link #emptyFile}. */
  private record BytesOutputFile(ByteArrayOutputStream bytes) implements OutputFile {
    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new PositionOutputStream() {
        @Override
        public long getPos() {
          return bytes.size();
        }

        @Override
        public void write(int b) {
          bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          bytes.write(b, off, len);
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }

  /**
   * Sorts each column chunk's {@code encodings} list in the footer. parquet-java collects them in
   * a {@code HashSet<Encoding>}, whose order follows the enums' identity hash codes, so the same
   * rows gave footers differing by a swapped pair of encodings from one JVM to the next (found by
   * comparing two {@code ./featurepipe demo} runs; a test now writes in separate JVMs). The footer
   * is the file's last part ({@code <footer><length: 4 bytes LE>PAR1}), so it is rewritten in place;
   * the pages and page indexes before it do not move.
   */
  static byte[] canonicalFooter(byte[] file) {
    int n = file.length;
    int footerLength = ByteBuffer.wrap(file, n - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int footerStart = n - 8 - footerLength;
    try {
      FileMetaData footer = Util.readFileMetaData(new ByteArrayInputStream(file, footerStart, footerLength));
      for (RowGroup group : footer.getRow_groups()) {
        for (ColumnChunk column : group.getColumns()) {
          if (column.isSetMeta_data() && column.getMeta_data().isSetEncodings()) {
            column.getMeta_data().getEncodings().sort(Comparator.comparingInt(Encoding::getValue));
          }
        }
      }
      ByteArrayOutputStream canonical = new ByteArrayOutputStream(n);
      canonical.write(file, 0, footerStart);
      ByteArrayOutputStream footerBytes = new ByteArrayOutputStream(footerLength);
      Util.writeFileMetaData(footer, footerBytes);
      footerBytes.writeTo(canonical);
      canonical.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footerBytes.size()).array());
      canonical.write(file, n - 4, 4);
      return canonical.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("[BUG] cannot rewrite the footer of a Parquet file we just wrote", e);
    }
  }

  /** Reads the projected columns of every row, in file order. */
  /**
   * The rows of a local Parquet file, streamed (close it when done); records may be reused between
   * rows, so copy one to keep it.
   */
  public static CloseableIterable<Record> stream(java.nio.file.Path file, Schema projection) {
    return Parquet.read(org.apache.iceberg.Files.localInput(file.toFile()))
        .project(projection)
        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(projection, fileSchema))
        .build();
  }

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
