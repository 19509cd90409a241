package dev.featurepipe.extract;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines on {@code \n} (dropping a trailing {@code \r}) without decoding
 * it, so each line is decoded exactly once by the JSON parser and a bad byte spoils only its line.
 */
final class Lines {

  interface Sink {
    void line(byte[] buf, int off, int len, long lineNo);

    /** A line longer than the limit; its bytes are not kept. */
    void tooLong(long lineNo, long length);
  }

  private Lines() {}

  /** Returns the number of lines seen (a last line without a newline counts). */
  static long forEach(InputStream in, int maxLineBytes, Sink sink) throws IOException {
    byte[] buf = new byte[1 << 20];
    int start = 0;
    int end = 0;
    long lineNo = 0;
    boolean skipping = false; // inside an over-long line, dropping bytes until its newline
    long skippedLength = 0;
    while (true) {
      if (end == buf.length) {
        if (start > 0) {
          System.arraycopy(buf, start, buf, 0, end - start);
          end -= start;
          start = 0;
        } else if (buf.length < maxLineBytes + 2) {
          buf = Arrays.copyOf(buf, Math.min(buf.length * 2, maxLineBytes + 2));
        } else {
          skipping = true;
          skippedLength += end;
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
        if (buf[i] != '\n') {
          continue;
        }
        lineNo++;
        if (skipping) {
          sink.tooLong(lineNo, skippedLength + (i - start));
          skipping = false;
          skippedLength = 0;
        } else {
          int len = i - start;
          if (len > 0 && buf[i - 1] == '\r') {
            len--;
          }
          if (len > maxLineBytes) {
            sink.tooLong(lineNo, len);
          } else {
            sink.line(buf, start, len, lineNo);
          }
        }
        start = i + 1;
      }
    }
    if (skipping) {
      lineNo++;
      sink.tooLong(lineNo, skippedLength + (end - start));
    } else if (end > start) {
      lineNo++;
      int len = end - start;
      if (buf[end - 1] == '\r') {
        len--;
      }
      if (len > maxLineBytes) {
        sink.tooLong(lineNo, len);
      } else {
        sink.line(buf, start, len, lineNo);
      }
    }
    return lineNo;
  }
}
