package dev.featurepipe.extract;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.lake.LakeLayout;
import java.util.Objects;

/**
 * One unit of extraction planned for the Extract Map. {@code chunkId} is derived from the source's
 * data (an object key, a key range), not a position in a listing, so adding data never renames other
 * chunks. Object sources fill {@code bucket}, {@code key}, {@code size} and {@code etag}; {@code
 * range} is the connector's own description of the part to read (a byte range of a large object, a
 * primary-key range of a table, an API partition), or null for "all of it".
 */
public record ExtractItem(
    String sourceId, String chunkId, String bucket, String key, long size, String etag, JsonNode range) {

  public ExtractItem {
    // "range": null in JSON binds to a NullNode: the same "all of it" as a missing range.
    range = range == null || range.isNull() || range.isMissingNode() ? null : range;
    LakeLayout.id("sourceId", sourceId);
    LakeLayout.chunkId(chunkId);
  }

  /** A whole S3 object. */
  public static ExtractItem object(String sourceId, String bucket, String key, String chunkId, long size, String etag) {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
    return new ExtractItem(sourceId, chunkId, bucket, key, size, etag, null);
  }
}
