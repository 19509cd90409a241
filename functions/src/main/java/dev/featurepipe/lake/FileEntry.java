package dev.featurepipe.lake;

import java.util.Objects;

/** One file a step wrote: where, how many rows, how many bytes, and the SHA-256 of its bytes. */
public record FileEntry(String key, long rows, long bytes, String sha256) {

  public FileEntry {
    Objects.requireNonNull(key, "key");
    if (rows < 0 || bytes < 0) {
      throw new IllegalArgumentException("[BUG] rows and bytes must be >= 0 for " + key);
    }
    if (sha256 == null || !LakeLayout.SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("[BUG] bad sha256 for " + key + ": " + sha256);
    }
  }
}
