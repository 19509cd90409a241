package dev.featurepipe.extract;

import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.errors.SourceUnavailable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Listing a source's objects for one date, for connectors whose data lives in S3. */
public final class SourceObjects {

  private SourceObjects() {}

  /** A data object and the chunk id derived from its key. */
  public record Listed(S3Object object, String chunkId) {}

  /**
   * The data objects under {@code prefix}, sorted by key, each with a chunk id derived from its
   * key below the prefix. Marker files and folders are skipped; two keys that map to one chunk id
   * fail the plan rather than silently sharing a file.
   */
  public static List<Listed> list(S3Client s3, String sourceId, String bucket, String prefix) {
    List<S3Object> objects = new ArrayList<>();
    try {
      String token = null;
      do {
        ListObjectsV2Response page = s3.listObjectsV2(
            ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).continuationToken(token).build());
        objects.addAll(page.contents());
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    } catch (NoSuchBucketException e) {
      throw new SourceUnavailable("source " + sourceId + ": bucket " + bucket + " does not exist", e);
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      throw new SourceUnavailable("source " + sourceId + ": listing s3://" + bucket + "/" + prefix
          + " answered HTTP " + e.statusCode(), e);
    } catch (SdkClientException e) {
      throw new SourceUnavailable("source " + sourceId + ": s3://" + bucket + " is unreachable: " + e.getMessage(), e);
    }
    objects.sort(Comparator.comparing(S3Object::key));
    List<Listed> out = new ArrayList<>();
    Map<String, String> byChunk = new HashMap<>();
    for (S3Object o : objects) {
      String relative = o.key().substring(prefix.length());
      if (isIgnored(relative)) {
        continue;
      }
      String chunkId = chunkId(relative);
      String previous = byChunk.put(chunkId, o.key());
      if (previous != null) {
        throw new InvalidInput("source " + sourceId + ": objects " + previous + " and " + o.key()
            + " map to the same chunk id " + chunkId + "; rename one of them");
      }
      out.add(new Listed(o, chunkId));
    }
    return out;
  }

  /** Folder markers and Spark/Hadoop-style marker files (_SUCCESS, .crc) are not data. */
  static boolean isIgnored(String relative) {
    if (relative.isEmpty() || relative.endsWith("/")) {
      return true;
    }
    String base = relative.substring(relative.lastIndexOf('/') + 1);
    return base.startsWith("_") || base.startsWith(".");
  }

  /** {@code events-00001.jsonl.gz} becomes {@code events-00001}; other characters become {@code _}. */
  static String chunkId(String relative) {
    String id = relative;
    boolean stripped = true;
    while (stripped) {
      stripped = false;
      for (String ext : List.of(".gz", ".jsonl", ".ndjson", ".json", ".csv", ".parquet")) {
        if (id.length() > ext.length() && id.endsWith(ext)) {
          id = id.substring(0, id.length() - ext.length());
          stripped = true;
        }
      }
    }
    id = id.replaceAll("[^A-Za-z0-9._-]", "_");
    if (!Character.isLetterOrDigit(id.charAt(0))) {
      id = "x" + id;
    }
    return id.length() > 200 ? id.substring(0, 200) : id;
  }
}
