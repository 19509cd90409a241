package dev.featurepipe.extract.files;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A Parquet {@link InputFile} over ranged GETs of one S3 object, so reading a footer or a few row
 * groups fetches only those bytes. A seek opens a new open-ended ranged GET at the new position;
 * Parquet reads the footer, then column chunks mostly in order, so few GETs are made. The object's
 * length comes from the listing, saving a HEAD. Iceberg's S3 input file would do the same but is
 * bound to S3FileIO's own client and properties; this one uses the connector's client.
 */
final class S3InputFile implements InputFile {

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final long length;

  S3InputFile(S3Client s3, String bucket, String key, long length) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.length = length;
  }

  @Override
  public long getLength() {
    return length;
  }

  @Override
  public SeekableInputStream newStream() {
    return new Stream();
  }

  private final class Stream extends SeekableInputStream {
    private long pos;
    private ResponseInputStream<GetObjectResponse> in; // positioned at pos, or null

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) throws IOException {
      if (newPos != pos) {
        closeCurrent();
        pos = newPos;
      }
    }

    private InputStream current() {
      if (in == null) {
        in = s3.getObject(b -> b.bucket(bucket).key(key).range("bytes=" + pos + "-"));
      }
      return in;
    }

    @Override
    public int read() throws IOException {
      if (pos >= length) {
        return -1;
      }
      int b = current().read();
      if (b >= 0) {
        pos++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= length) {
        return -1;
      }
      int n = current().read(b, off, len);
      if (n > 0) {
        pos += n;
      }
      return n;
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
      readFully(bytes, 0, bytes.length);
    }

    @Override
    public void readFully(byte[] bytes, int start, int len) throws IOException {
      int done = 0;
      while (done < len) {
        int n = read(bytes, start + done, len - done);
        if (n < 0) {
          throw new EOFException("s3://" + bucket + "/" + key + " ended at " + pos + " with " + (len - done)
              + " bytes still to read");
        }
        done += n;
      }
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
      int len = buf.remaining();
      if (len == 0) {
        return 0;
      }
      byte[] tmp = new byte[Math.min(len, 1 << 16)];
      int n = read(tmp, 0, tmp.length);
      if (n > 0) {
        buf.put(tmp, 0, n);
      }
      return n;
    }

    @Override
    public void readFully(ByteBuffer buf) throws IOException {
      byte[] tmp = new byte[buf.remaining()];
      readFully(tmp);
      buf.put(tmp);
    }

    private void closeCurrent() throws IOException {
      if (in != null) {
        in.abort(); // dropping the connection beats draining the rest of a large object
        in.close();
        in = null;
      }
    }

    @Override
    public void close() throws IOException {
      closeCurrent();
    }
  }
}
