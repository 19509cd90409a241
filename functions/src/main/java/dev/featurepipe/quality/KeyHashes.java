package dev.featurepipe.quality;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.PriorityQueue;

/**
 * IsUnique's exact duplicate count without holding the values: each chunk stores its values'
 * 64-bit hashes sorted (big-endian longs, 8 bytes each); SealBronze merges the sorted runs and
 * counts every hash equal to the one before it. The merge holds one cursor per chunk.
 */
public final class KeyHashes {

  private KeyHashes() {}

  public static byte[] encode(long[] sorted) {
    ByteBuffer b = ByteBuffer.allocate(sorted.length * Long.BYTES);
    for (long h : sorted) {
      b.putLong(h);
    }
    return b.array();
  }

  /** Values that repeat an earlier value across all runs: total values minus distinct values. */
  public static long duplicates(List<byte[]> sortedRuns) {
    record Cursor(ByteBuffer buf, long head) {}
    PriorityQueue<Cursor> heap = new PriorityQueue<>((a, b) -> Long.compare(a.head(), b.head()));
    for (byte[] run : sortedRuns) {
      if (run.length % Long.BYTES != 0) {
        throw new IllegalStateException("[BUG] a key hash file must hold whole longs, got " + run.length + " bytes");
      }
      ByteBuffer buf = ByteBuffer.wrap(run);
      if (buf.hasRemaining()) {
        heap.add(new Cursor(buf, buf.getLong()));
      }
    }
    long duplicates = 0;
    boolean first = true;
    long previous = 0;
    while (!heap.isEmpty()) {
      Cursor c = heap.poll();
      if (!first && c.head() == previous) {
        duplicates++;
      }
      first = false;
      previous = c.head();
      if (c.buf().hasRemaining()) {
        heap.add(new Cursor(c.buf(), c.buf().getLong()));
      }
    }
    return duplicates;
  }
}
