package dev.featurepipe.extract.files;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into records on {@code \n} outside quotes (dropping a trailing {@code \r}),
 * without decoding it. Works on raw bytes, which is right only for ASCII-compatible encodings (the
 * options insist on one): there the bytes of {@code \n} and the quote never occur inside a
 * multi-byte character. With {@code quote < 0} (JSON Lines) every newline ends a record, since JSON
 * strings cannot hold a raw newline.
 */
final class Records {

  interface Sink {
    /** {@code offset}: the record's first byte in the (decoded) object. */
    void record(byte[] buf, int off, int len, long offset);

    /** A record longer than the limit; its bytes are not kept. */
    void tooLong(long offset, long length);
  }

  private Records() {}

  /**
   * Emits the records of {@code in}, whose first byte is at object offset {@code base} and is the
   * start of a record outside quotes. Stops, without emitting it, at the first record starting at
   * or after {@code limit}; a record starting before {@code limit} is read to its end. Returns
   * whether it stopped at {@code limit} (true) rather than at the end of the stream.
   */
  static boolean forEach(InputStream in, long base, long limit, int quote, int maxRecordBytes, Sink sink)
      throws IOException {
    byte[] buf = new byte[1 << 16];
    long bufBase = base; // object offset of buf[0]
    int start = 0;
    int end = 0;
    boolean inQuotes = false;
    boolean skipping = false; // inside an over-long record, dropping bytes until its end
    long skipStart = 0;
    while (true) {
      if (bufBase + start >= limit && !skipping) {
        return true;
      }
      if (end == buf.length) {
        if (start > 0) {
          System.arraycopy(buf, start, buf, 0, end - start);
          end -= start;
          bufBase += start;
          start = 0;
        } else if (buf.length < maxRecordBytes + 2) {
          buf = Arrays.copyOf(buf, Math.min(buf.length * 2, maxRecordBytes + 2));
        } else {
          if (!skipping) {
            skipping = true;
            skipStart = bufBase;
          }
          bufBase += end;
          start = 0;
          end = 0;
        }
      }
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) {
        break;
      }
      int scanFrom = end;
      end += n;
      for (int i = scanFrom; i < end; i++) {
        byte b = buf[i];
        if (b == quote) {
          inQuotes = !inQuotes;
        } else if (b == '\n' && !inQuotes) {
          long recordStart = skipping ? skipStart : bufBase + start;
          if (recordStart >= limit) {
            return true;
          }
          if (skipping) {
            sink.tooLong(skipStart, bufBase + i - skipStart);
            skipping = false;
          } else {
            int len = i - start;
            if (len > 0 && buf[i - 1] == '\r') {
              len--;
            }
            if (len > maxRecordBytes) {
              sink.tooLong(recordStart, len);
            } else {
              sink.record(buf, start, len, recordStart);
            }
          }
          start = i + 1;
        }
      }
    }
    if (skipping) {
      if (skipStart < limit) {
        sink.tooLong(skipStart, bufBase + end - skipStart);
      }
    } else if (end > start && bufBase + start < limit) {
      int len = end - start;
      if (buf[end - 1] == '\r') {
        len--;
      }
      if (len > maxRecordBytes) {
        sink.tooLong(bufBase + start, len);
      } else {
        sink.record(buf, start, len, bufBase + start);
      }
    }
    return false;
  }
}
