package dev.featurepipe.extract;

import dev.featurepipe.lake.LakeLayout;
import java.util.Objects;

/**
 * One unit of extraction planned for the Extract Map: one source object. {@code chunkId} is derived
 * from the object's key (not its position in a listing), so adding an object never renames others.
 */
public record ExtractItem(String sourceId, String bucket, String key, String chunkId, long size, String etag) {

  public ExtractItem {
    LakeLayout.id("sourceId", sourceId);
    LakeLayout.chunkId(chunkId);
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
  }
}
