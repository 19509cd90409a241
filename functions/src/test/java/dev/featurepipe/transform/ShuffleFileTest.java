package dev.featurepipe.transform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.lake.ParquetFiles;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

/** The shuffle file's layout: header, offsets, and one standalone Parquet file per non-empty shard. */
class ShuffleFileTest {

  private static Record row(String eventId, String userId) {
    GenericRecord r = GenericRecord.create(ClickstreamSchema.BRONZE);
    r.setField("event_id", eventId);
    r.setField("event_time", OffsetDateTime.of(2026, 11, 24, 1, 2, 3, 0, ZoneOffset.UTC));
    r.setField("user_id", userId);
    r.setField("product_id", "p-1");
    r.setField("event_type", "view");
    r.setField("quantity", 1);
    r.setField("_source_line", 1L);
    return r;
  }

  /** Cuts segment {@code shard} out of a whole shuffle file using its header, as the ranged reader does. */
  private static byte[] segment(byte[] file, int shard) {
    ByteBuffer header = ByteBuffer.wrap(file);
    int from = Math.toIntExact(header.getLong(ShuffleFile.MAGIC.length + Integer.BYTES + 8 * shard));
    int to = Math.toIntExact(header.getLong(ShuffleFile.MAGIC.length + Integer.BYTES + 8 * (shard + 1)));
    return Arrays.copyOfRange(file, from, to);
  }

  @Test
  void eachShardsRowsAreAStandaloneParquetSegmentAndEmptyShardsTakeNoBytes() {
    List<List<Record>> byShard = new ArrayList<>();
    byShard.add(List.of(row("a", "u1"), row("b", "u2")));
    byShard.add(List.of());
    byShard.add(List.of(row("c", "ü-2")));
    byte[] file = ShuffleFile.write(ClickstreamSchema.BRONZE, byShard);

    assertThat(ShuffleFile.shardCount(file)).isEqualTo(3);
    assertThat(segment(file, 1)).isEmpty();
    for (int s : new int[] {0, 2}) {
      byte[] seg = segment(file, s);
      assertThat(new String(seg, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PAR1");
      assertThat(new String(seg, seg.length - 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PAR1");
    }
    assertThat(ParquetFiles.read(segment(file, 0), ClickstreamSchema.BRONZE))
        .extracting(r -> r.getField("event_id") + "/" + r.getField("user_id"))
        .containsExactly("a/u1", "b/u2");
    assertThat(ParquetFiles.read(segment(file, 2), ClickstreamSchema.BRONZE))
        .extracting(r -> r.getField("user_id")).containsExactly("ü-2");
    // The last offset is the file's end: nothing trails the last segment.
    assertThat(ByteBuffer.wrap(file).getLong(ShuffleFile.MAGIC.length + Integer.BYTES + 8 * 3)).isEqualTo(file.length);
  }

  @Test
  void sameRowsGiveTheSameBytes() {
    List<List<Record>> a = List.of(List.of(row("a", "u1")), List.of(row("b", "u2")));
    List<List<Record>> b = List.of(List.of(row("a", "u1")), List.of(row("b", "u2")));
    assertThat(ShuffleFile.write(ClickstreamSchema.BRONZE, a)).isEqualTo(ShuffleFile.write(ClickstreamSchema.BRONZE, b));
    assertThat(ShuffleFile.shardCount("not a shuffle file at all".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo(-1);
  }
}
