package dev.featurepipe.lake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.ops.Hashing;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
