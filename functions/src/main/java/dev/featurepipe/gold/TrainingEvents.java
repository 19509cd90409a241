package dev.featurepipe.gold;

import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.run.S3Ref;
import java.util.SortedMap;
import java.util.TreeMap;

/** The small JSON payloads of the training state machine's steps: S3 keys and counts, never rows. */
public final class TrainingEvents {

  private TrainingEvents() {}

  /**
   * PlanTrainingSet's result and the state the rest of the machine reads: {@code items} is the
   * BuildAllTrainingParts ItemReader's input, one {@link PartRequest} per part.
   */
  public record Planned(String runId, String modelVersion, String lakeBucket, S3Ref plan, S3Ref items, int parts,
      int partConcurrency, long labelRows, long quarantined, SortedMap<String, Long> snapshotIds) {
    public Planned {
      snapshotIds = new TreeMap<>(snapshotIds);
    }
  }

  /** One BuildAllTrainingParts item. */
  public record PartRequest(String runId, String modelVersion, String lakeBucket, int part) {}

  /**
   * One part's file and, per group in request order's names, how many of its rows found a feature
   * row (the rest are nulls: no row for the entity that day).
   */
  public record PartResult(int part, FileEntry file, long rows, SortedMap<String, Long> matched) {
    public PartResult {
      matched = new TreeMap<>(matched);
    }
  }

  /** CommitTrainingSet's input (the machine state; other fields are ignored). */
  public record CommitRequest(String runId, String modelVersion, String lakeBucket) {}

  /** CommitTrainingSet's result, the execution's output. */
  public record Committed(String runId, String modelVersion, S3Ref manifest, long rows, int files, long quarantined,
      SortedMap<String, Long> snapshotIds, SortedMap<String, Long> matched, String combinedSha256) {
    public Committed {
      snapshotIds = new TreeMap<>(snapshotIds);
      matched = new TreeMap<>(matched);
    }
  }
}
