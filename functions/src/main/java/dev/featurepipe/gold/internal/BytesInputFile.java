package dev.featurepipe.gold.internal;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** parquet-java's input file over bytes already in memory (a labels object read whole). */
final class BytesInputFile implements InputFile {

  private final byte[] bytes;

  BytesInputFile(byte[] bytes) {
    this.bytes = bytes;
  }

  @Override
  public long getLength() {
    return bytes.length;
  }

  @Override
  public SeekableInputStream newStream() {
    Positioned in = new Positioned(bytes);
    return new DelegatingSeekableInputStream(in) {
      @Override
      public long getPos() {
        return in.position();
      }

      @Override
      public void seek(long newPos) throws EOFException {
        if (newPos < 0 || newPos > bytes.length) {
          throw new EOFException("seek to " + newPos + " outside [0, " + bytes.length + "]");
        }
        in.moveTo((int) newPos);
      }
    };
  }

  private static final class Positioned extends ByteArrayInputStream {
    Positioned(byte[] bytes) {
      super(bytes);
    }

    int position() {
      return pos;
    }

    void moveTo(int position) {
      pos = position;
    }
  }
}
