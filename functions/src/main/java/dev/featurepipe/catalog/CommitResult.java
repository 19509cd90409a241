package dev.featurepipe.catalog;

import dev.featurepipe.transform.BucketFile;
import java.util.List;

/** One group's Silver commit for one date, written to {@code runs/} for the Load and Publish steps. */
public record CommitResult(
    String group, String table, String dt, long snapshotId, long rows, List<BucketFile> files,
    String inputFingerprint) {

  public CommitResult {
    files = List.copyOf(files);
  }
}
