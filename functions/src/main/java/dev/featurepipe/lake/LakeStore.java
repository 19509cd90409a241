package dev.featurepipe.lake;

import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Whole-object reads and writes in the lake bucket, and ranged reads of one segment. */
public final class LakeStore {

  private final S3Client s3;
  private final String bucket;

  public LakeStore(S3Client s3, String bucket) {
    this.s3 = s3;
    this.bucket = bucket;
  }

  public String bucket() {
    return bucket;
  }

  public FileEntry put(String key, byte[] bytes, long rows, String contentType) {
    s3.putObject(
        PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType).build(),
        RequestBody.fromBytes(bytes));
    return new FileEntry(key, rows, bytes.length, Hashing.sha256Hex(bytes));
  }

  /** Writes canonical JSON (sorted keys), so the same value always gives the same bytes. */
  public FileEntry putJson(String key, Object value) {
    return put(key, Json.bytes(value), 0, "application/json");
  }

  public Optional<byte[]> find(String key) {
    try {
      return Optional.of(
          s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build())
              .asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    }
  }

  /** Whether an object exists (a HEAD request: the bytes are not read). */
  public boolean exists(String key) {
    try {
      s3.headObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    }
  }

  /** Reads an object a previous step must have written; its absence is a workflow bug. */
  public byte[] get(String key) {
    return find(key)
        .orElseThrow(
            () -> new IllegalStateException(
                "[BUG] s3://" + bucket + "/" + key + " is missing; an earlier step should have written it"));
  }

  /**
   * Bytes {@code [from, from + length)} of an object a previous step must have written (one ranged
   * GET), for readers that need one segment of a larger object.
   */
  public byte[] getRange(String key, long from, long length) {
    if (from < 0 || length < 1) {
      throw new IllegalArgumentException("[BUG] range of " + key + " must start at >= 0 and have >= 1 byte");
    }
    try {
      byte[] bytes = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key)
          .range("bytes=" + from + "-" + (from + length - 1)).build()).asByteArray();
      if (bytes.length != length) {
        throw new IllegalStateException("s3://" + bucket + "/" + key + " returned " + bytes.length + " bytes for a "
            + length + "-byte range at " + from + "; the object is shorter than its writer said");
      }
      return bytes;
    } catch (NoSuchKeyException e) {
      throw new IllegalStateException(
          "[BUG] s3://" + bucket + "/" + key + " is missing; an earlier step should have written it", e);
    }
  }

  public <T> T getJson(String key, Class<T> type) {
    return Json.read(get(key), type);
  }

  /** Keys under a prefix in lexicographic order. For clean-up only: readers go through manifests. */
  public List<String> list(String prefix) {
    List<String> keys = new ArrayList<>();
    String token = null;
    do {
      ListObjectsV2Response page =
          s3.listObjectsV2(
              ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).continuationToken(token).build());
      for (S3Object o : page.contents()) {
        keys.add(o.key());
      }
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (token != null);
    keys.sort(String::compareTo);
    return keys;
  }

  public void delete(String key) {
    s3.deleteObject(b -> b.bucket(bucket).key(key));
  }
}
