package dev.featurepipe.lake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.ops.Hashing;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

class ParquetFilesTest {

  private static List<Record> rows(int n) {
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GenericRecord r = GenericRecord.create(ClickstreamSchema.BRONZE);
      r.setField("event_id", "e" + i);
      r.setField("event_time", OffsetDateTime.of(2026, 11, 24, 0, 0, i % 60, 0, ZoneOffset.UTC));
      r.setField("user_id", "u" + (i % 7));
      r.setField("product_id", "p-ü-" + (i % 13));
      r.setField("event_type", "view");
      r.setField("price", i % 2 == 0 ? null : new BigDecimal("12.34"));
      r.setField("quantity", 1);
      r.setField("session_id", null);
      r.setField("_source_line", (long) i + 1);
      rows.add(r);
    }
    return rows;
  }

  @Test
  void sameRowsGiveByteIdenticalFiles() {
    byte[] a = ParquetFiles.write(ClickstreamSchema.BRONZE, rows(5_000));
    byte[] b = ParquetFiles.write(ClickstreamSchema.BRONZE, rows(5_000));
    assertThat(Hashing.sha256Hex(a)).isEqualTo(Hashing.sha256Hex(b));
  }

  /** Entry point for the separate-JVM test: writes {@code rows(5000)} and prints its SHA-256. */
  public static void main(String[] args) {
    System.out.println(Hashing.sha256Hex(ParquetFiles.write(ClickstreamSchema.BRONZE, rows(5_000))));
  }

  @Test
  void sameRowsGiveByteIdenticalFilesInSeparateJvms() throws Exception {
    // Identity hash codes (and so HashSet<Enum> order inside parquet-java) differ between JVMs but
    // rarely within one, so only separate processes can show this kind of nondeterminism.
    java.util.Set<String> digests = new java.util.TreeSet<>();
    for (int i = 0; i < 4; i++) {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), ParquetFilesTest.class.getName())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isZero();
      digests.add(out.lines().filter(l -> l.matches("[0-9a-f]{64}")).findFirst().orElseThrow());
    }
    digests.add(Hashing.sha256Hex(ParquetFiles.write(ClickstreamSchema.BRONZE, rows(5_000))));
    assertThat(digests).hasSize(1);
  }

  @Test
  void footerEncodingsAreSortedWhateverOrderTheWriterListedThem() throws Exception {
    byte[] canonical = ParquetFiles.write(ClickstreamSchema.BRONZE, rows(1_000));
    int n = canonical.length;
    int footerLength = java.nio.ByteBuffer.wrap(canonical, n - 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    var footer = org.apache.parquet.format.Util.readFileMetaData(
        new java.io.ByteArrayInputStream(canonical, n - 8 - footerLength, footerLength));
    int reversed = 0;
    for (var group : footer.getRow_groups()) {
      for (var column : group.getColumns()) {
        if (column.getMeta_data().getEncodingsSize() > 1) {
          java.util.Collections.reverse(column.getMeta_data().getEncodings());
          reversed++;
        }
      }
    }
    assertThat(reversed).as("columns with more than one encoding").isPositive();
    var shuffled = new java.io.ByteArrayOutputStream();
    shuffled.write(canonical, 0, n - 8 - footerLength);
    var footerBytes = new java.io.ByteArrayOutputStream();
    org.apache.parquet.format.Util.writeFileMetaData(footer, footerBytes);
    footerBytes.writeTo(shuffled);
    shuffled.write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(footerBytes.size()).array());
    shuffled.write("PAR1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    assertThat(shuffled.toByteArray()).isNotEqualTo(canonical);
    assertThat(ParquetFiles.canonicalFooter(shuffled.toByteArray())).isEqualTo(canonical);
  }

  @Test
  void noRowsGiveAValidEmptyFileThatReadsBackEmptyWithItsSchema() throws Exception {
    // A chunk whose every record was quarantined still gets a Bronze file: the partition stays
    // complete and readable by any Parquet reader.
    byte[] empty = ParquetFiles.write(ClickstreamSchema.BRONZE, List.of());
    assertThat(ParquetFiles.read(empty, ClickstreamSchema.BRONZE)).isEmpty();
    assertThat(ParquetFiles.write(ClickstreamSchema.BRONZE, List.of())).isEqualTo(empty);
    try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
        new org.apache.parquet.io.LocalInputFile(writeTemp(empty)))) {
      assertThat(reader.getRecordCount()).isZero();
      assertThat(reader.getFooter().getFileMetaData().getSchema().getFieldCount())
          .isEqualTo(ClickstreamSchema.BRONZE.columns().size());
    }
  }

  private static java.nio.file.Path writeTemp(byte[] bytes) throws java.io.IOException {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("empty", ".parquet");
    file.toFile().deleteOnExit();
    return java.nio.file.Files.write(file, bytes);
  }

  @Test
  void rowsReadBackEqualRowsWritten() {
    List<Record> written = rows(1_000);
    assertThat(ParquetFiles.read(ParquetFiles.write(ClickstreamSchema.BRONZE, written), ClickstreamSchema.BRONZE))
        .isEqualTo(written);
  }

  @Test
  void footerShowsZstdThroughParquetJavasOwnReader() throws Exception {
    byte[] bytes = ParquetFiles.write(ClickstreamSchema.BRONZE, rows(100));
    try (ParquetFileReader reader = ParquetFileReader.open(new BytesInputFile(bytes))) {
      var meta = reader.getFooter();
      assertThat(meta.getBlocks()).hasSize(1);
      assertThat(meta.getBlocks().get(0).getRowCount()).isEqualTo(100);
      assertThat(meta.getBlocks().get(0).getColumns())
          .allSatisfy(c -> assertThat(c.getCodec()).isEqualTo(CompressionCodecName.ZSTD));
    }
  }

  /** parquet-java's InputFile over bytes, independent of Iceberg's reader. */
  private record BytesInputFile(byte[] bytes) implements InputFile {
    @Override
    public long getLength() {
      return bytes.length;
    }

    @Override
    public SeekableInputStream newStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(bytes);
      return new DelegatingSeekableInputStream(in) {
        private long pos;

        @Override
        public long getPos() {
          return pos;
        }

        @Override
        public void seek(long newPos) {
          in.reset();
          in.skip(newPos);
          pos = newPos;
        }

        @Override
        public int read() throws java.io.IOException {
          int b = super.read();
          if (b >= 0) pos++;
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
          int n = super.read(b, off, len);
          if (n > 0) pos += n;
          return n;
        }
      };
    }
  }
}
