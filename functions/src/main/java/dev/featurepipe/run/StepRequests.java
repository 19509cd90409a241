package dev.featurepipe.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.featurepipe.extract.ExtractItem;
import java.util.List;

/** Inputs and outputs of the per-item steps, as the state machine passes them. */
public final class StepRequests {

  private StepRequests() {}

  /** The Distributed Map's batch: {@code ItemBatcher} puts items under Items, BatchInput beside. */
  public record ExtractBatch(
      @JsonProperty("Items") List<ExtractItem> items,
      @JsonProperty("BatchInput") BatchInput batchInput) {}

  /** {@code force}: re-extract even chunks whose source, config and code did not change. */
  public record BatchInput(String runId, String date, String lakeBucket, Boolean force) {}

  /** {@code reused}: chunks whose earlier result still held (same source object, config and code). */
  public record ExtractSummary(int chunks, long rows, long quarantined, long bytes, int reused) {}

  /**
   * {@code manifests}: each source's Bronze partition manifest key, by source id. Then the Transform
   * stage's plan, sized from the sealed partitions: {@code shuffleItems} (one per group and Bronze
   * file of its source, in S3 for the Distributed Map), {@code transformItems} (one per group and
   * shard) and {@code commitItems} (one per group, with its shard count).
   */
  public record SealSummary(java.util.SortedMap<String, String> manifests, long rows, long quarantined, int files,
      S3Ref shuffleItems, int shuffleCount, List<TransformItem> transformItems, List<CommitItem> commitItems) {}

  /** A group and the number of shards its Transform was split into. */
  public record CommitItem(String group, int shardCount) {}

  /** One Bronze file of a group's source, to route to the group's {@code shardCount} shards. */
  public record ShuffleItem(String group, String sourceId, dev.featurepipe.lake.FileEntry file, int shardCount) {}

  /** The shuffle Distributed Map's batch. */
  public record ShuffleBatch(
      @JsonProperty("Items") List<ShuffleItem> items,
      @JsonProperty("BatchInput") BatchInput batchInput) {}

  /** {@code reused}: files whose shuffle file was already there (same content, same routing). */
  public record ShuffleSummary(int files, long rows, int reused) {}

  public record BuildRequest(String runId, String date, String lakeBucket,
      java.util.SortedMap<String, String> bronzeManifests, TransformItem item, Boolean force) {}

  public record BuildSummary(String group, int shard, long rows, int files, boolean reused) {}

  public record CommitRequest(String runId, String date, String lakeBucket,
      java.util.SortedMap<String, String> bronzeManifests, int shardCount,
      String group, Boolean force) {}

  public record CommitSummary(String group, long snapshotId, long rows, int files, String resultKey, boolean reused) {}

  public record LoadRequest(String runId, String date, String lakeBucket, TransformItem item, Boolean force) {}

  public record LoadSummary(String group, int shard, long written, boolean reused) {}

  public record FailureSummary(String runId, String status, String runRecordKey) {}
}
