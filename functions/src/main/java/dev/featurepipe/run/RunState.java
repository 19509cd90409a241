package dev.featurepipe.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The workflow state as later whole-state steps (SealBronze, PublishRun, RecordRunFailure) read it:
 * the plan's fields plus what earlier states added. Unknown fields are ignored.
 */
public record RunState(
    String runId,
    String date,
    String lakeBucket,
    S3Ref extractItems,
    Fanout fanout,
    List<String> groups,
    String configSha256,
    String codeVersion,
    String inputFingerprint,
    List<Plan.UnavailableSource> unavailableSources,
    List<String> staleGroups,
    BronzeRef bronze,
    JsonNode error) {

  /** The (group, shard) items of the Transform and Load stages, as SealBronze sized them; none before it. */
  public List<TransformItem> transformItems() {
    return bronze == null || bronze.transformItems() == null ? List.of() : bronze.transformItems();
  }

  /** What SealBronze added to the state. */
  public record BronzeRef(java.util.SortedMap<String, String> manifests, long rows, long quarantined, int files,
      List<TransformItem> transformItems) {}
}
