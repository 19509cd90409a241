package dev.featurepipe.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.ops.Json;
import dev.featurepipe.run.RunState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Records a failed attempt in the run record. Nothing else is touched: the previous Silver snapshot
 * and DynamoDB items stay served.
 */
public final class FailureRecorder {

  /** Enough of a message to act on; stack traces stay in the function's logs. */
  static final int MAX_MESSAGE = 2_000;
  /** The run record stays small; the full list stays in the Map Run's FAILED_0.json. */
  static final int MAX_ITEM_FAILURES = 20;
  static final String MAP_FAILED = "States.ExceedToleratedFailureThreshold";

  private final PipelineContext ctx;

  public FailureRecorder(PipelineContext ctx) {
    this.ctx = ctx;
  }

  /** Returns the run record's key, or empty when the run never got an id (e.g. a bad date). */
  public Optional<String> record(RunState state) {
    String runId = state.runId();
    if (runId == null && state.date() != null && state.date().matches("\\d{4}-\\d{2}-\\d{2}")) {
      runId = "daily-" + state.date();
    }
    if (runId == null) {
      return Optional.empty();
    }
    String error = text(state.error(), "Error").orElse("States.Unknown");
    String message = text(state.error(), "Cause").map(FailureRecorder::lambdaMessage).orElse("");
    message = truncate(message);
    LakeStore lake = new LakeStore(ctx.s3(), ctx.names().lakeBucket());
    List<RunRecord.ItemFailure> items = MAP_FAILED.equals(error) ? extractMapFailures(runId) : List.of();
    RunRecord record = new RunRecord(LakeLayout.runId(runId), state.date(), "FAILED", state.codeVersion(),
        state.configSha256(), state.inputFingerprint(), null, state.unavailableSources(), state.staleGroups(), null, null,
        null, new RunRecord.Failure(error, message, items));
    String key = LakeLayout.runRecord(runId);
    lake.putJson(key, record);
    return Optional.of(key);
  }

  /**
   * The failed children of the newest Extract Map Run, from its ResultWriter's {@code FAILED_0.json}
   * (AWS's format: one entry per child execution with Error, Cause and Input). Listing is fine
   * here: this is diagnosis, not a data read.
   */
  private List<RunRecord.ItemFailure> extractMapFailures(String runId) {
    String prefix = LakeLayout.extractMapPrefix(runId);
    List<S3Object> failedFiles = new ArrayList<>();
    ctx.s3().listObjectsV2Paginator(b -> b.bucket(ctx.names().lakeBucket()).prefix(prefix)).contents()
        .forEach(o -> {
          if (o.key().endsWith("/FAILED_0.json")) {
            failedFiles.add(o);
          }
        });
    Optional<S3Object> newest = failedFiles.stream()
        .max(Comparator.comparing(S3Object::lastModified).thenComparing(S3Object::key));
    if (newest.isEmpty()) {
      return List.of();
    }
    JsonNode entries;
    try {
      entries = Json.mapper().readTree(new LakeStore(ctx.s3(), ctx.names().lakeBucket()).get(newest.get().key()));
    } catch (java.io.IOException e) {
      return List.of(new RunRecord.ItemFailure("States.ResultWriterFailed",
          "cannot read " + newest.get().key() + ": " + e.getMessage(), List.of()));
    }
    List<RunRecord.ItemFailure> out = new ArrayList<>();
    for (JsonNode entry : entries) {
      if (out.size() == MAX_ITEM_FAILURES) {
        break;
      }
      List<String> keys = new ArrayList<>();
      text(entry, "Input").ifPresent(input -> {
        try {
          for (JsonNode item : Json.mapper().readTree(input).path("Items")) {
            keys.add(item.path("key").asText());
          }
        } catch (java.io.IOException e) {
          // Input is ours and JSON; if not, the item failure is still worth recording without keys.
        }
      });
      out.add(new RunRecord.ItemFailure(text(entry, "Error").orElse("States.Unknown"),
          truncate(text(entry, "Cause").map(FailureRecorder::lambdaMessage).orElse("")), keys));
    }
    return out;
  }

  private static String truncate(String message) {
    return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "..." : message;
  }

  private static Optional<String> text(JsonNode node, String field) {
    return Optional.ofNullable(node).map(n -> n.get(field)).filter(JsonNode::isTextual).map(JsonNode::asText);
  }

  /** The Lambda runtime's Cause is JSON {errorMessage, errorType, stackTrace}; keep the message. */
  static String lambdaMessage(String cause) {
    try {
      JsonNode parsed = Json.mapper().readTree(cause);
      if (parsed != null && parsed.hasNonNull("errorMessage")) {
        return parsed.get("errorMessage").asText();
      }
    } catch (Exception e) {
      // Not JSON: a States.* error's plain-text cause.
    }
    return cause;
  }
}
