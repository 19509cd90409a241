package dev.featurepipe.online.internal;

import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.ops.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Brings a committed Silver file to local disk for streaming: Parquet needs random access (the
 * footer is at the end), and a file on disk keeps the heap bounded whatever the file's size, where
 * the object's bytes in memory would not. Its SHA-256 is checked against the commit on the way.
 */
public final class SilverFiles {

  private SilverFiles() {}

  /** Downloads into a new temp file in {@code dir}; the caller deletes it. */
  public static Path download(S3Client s3, String bucket, FileEntry file, Path dir) {
    try {
      Path local = Files.createTempFile(dir, "silver-", ".parquet");
      MessageDigest digest = Hashing.sha256();
      try (InputStream in = new DigestInputStream(s3.getObject(b -> b.bucket(bucket).key(file.key())), digest);
          OutputStream out = Files.newOutputStream(local)) {
        in.transferTo(out);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(local);
        throw e;
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(file.sha256())) {
        Files.deleteIfExists(local);
        throw new IllegalStateException("Silver file s3://" + bucket + "/" + file.key() + " has SHA-256 " + actual
            + ", not the " + file.sha256() + " its commit recorded; it was changed outside the pipeline");
      }
      return local;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot download s3://" + bucket + "/" + file.key() + " to " + dir, e);
    }
  }
}
