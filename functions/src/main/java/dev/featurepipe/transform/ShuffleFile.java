package dev.featurepipe.transform;

import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;

/**
 * The map side's output: one Bronze file's rows for one feature group, split by Transform shard, in
 * one object. A shard reads only its own segment with two small ranged GETs (its offsets, then its
 * bytes), so the shuffle costs one PUT per Bronze file and two GETs per (file, shard) whatever the
 * shard count, instead of one object per (file, shard).
 *
 * <p>Layout: the 8-byte magic {@code FPSHUF01}, the shard count (int), {@code shardCount + 1}
 * offsets (long, big-endian, from the start of the object), then per shard in order one Parquet file
 * of its rows (absent when it has none: two equal offsets). Segments are plain Parquet files, so any
 * Parquet reader can read one that is cut out.
 */
public final class ShuffleFile {

  static final byte[] MAGIC = "FPSHUF01".getBytes(StandardCharsets.US_ASCII);

  private ShuffleFile() {}

  static int headerLength(int shardCount) {
    return MAGIC.length + Integer.BYTES + Long.BYTES * (shardCount + 1);
  }

  /** {@code rowsByShard.get(s)}: shard s's rows in the order they are to be stored. */
  public static byte[] write(Schema schema, List<? extends List<Record>> rowsByShard) {
    int shardCount = rowsByShard.size();
    if (shardCount < 1) {
      throw new IllegalArgumentException("[BUG] a shuffle file needs at least one shard");
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    long[] offsets = new long[shardCount + 1];
    int header = headerLength(shardCount);
    for (int s = 0; s < shardCount; s++) {
      offsets[s] = header + (long) data.size();
      List<Record> rows = rowsByShard.get(s);
      if (!rows.isEmpty()) {
        data.writeBytes(ParquetFiles.write(schema, rows));
      }
    }
    offsets[shardCount] = header + (long) data.size();
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(offsets[shardCount]));
    out.put(MAGIC).putInt(shardCount);
    for (long o : offsets) {
      out.putLong(o);
    }
    out.put(data.toByteArray());
    return out.array();
  }

  /** Shard {@code shard}'s rows from the shuffle object at {@code key}, read with {@code schema}. */
  public static List<Record> readSegment(LakeStore lake, String key, int shard, int shardCount, Schema schema) {
    if (shard < 0 || shard >= shardCount) {
      throw new IllegalArgumentException("[BUG] shard " + shard + " is not in [0, " + shardCount + ")");
    }
    ByteBuffer pair = ByteBuffer.wrap(lake.getRange(key, MAGIC.length + Integer.BYTES + (long) Long.BYTES * shard,
        2L * Long.BYTES));
    long from = pair.getLong();
    long to = pair.getLong();
    if (from < headerLength(shardCount) || to < from) {
      throw new IllegalStateException("s3://" + lake.bucket() + "/" + key + " is not a shuffle file of " + shardCount
          + " shards (segment " + shard + " at [" + from + ", " + to + ")); rerun the run's ShuffleBronze step");
    }
    return to == from ? List.of() : ParquetFiles.read(lake.getRange(key, from, to - from), schema);
  }

  /** The shard count a shuffle file's header states, or -1 when the bytes are not a shuffle file. */
  static int shardCount(byte[] object) {
    if (object.length < headerLength(1) || !Arrays.equals(object, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return -1;
    }
    return ByteBuffer.wrap(object, MAGIC.length, Integer.BYTES).getInt();
  }
}
