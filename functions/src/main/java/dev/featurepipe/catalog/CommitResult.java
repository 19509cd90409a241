package dev.featurepipe.catalog;

import dev.featurepipe.transform.BucketFile;
import java.util.List;

/**
 * One group's Silver commits for one date, written to {@code runs/} for the Load and Publish steps:
 * the feature table's ({@code table}, {@code snapshotId}, {@code rows}, {@code files}) and the tile
 * table's ({@code tilesTable}, ...). Files sorted by bucket.
 */
public record CommitResult(
    String group, String table, String dt, long snapshotId, long rows, List<BucketFile> files,
    String tilesTable, long tilesSnapshotId, long tileRows, List<BucketFile> tileFiles, String inputFingerprint) {

  public CommitResult {
    files = List.copyOf(files);
    tileFiles = List.copyOf(tileFiles);
  }
}
