package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.infra.sfn.Execution.Aborted;
import dev.featurepipe.infra.sfn.Execution.Failed;
import dev.featurepipe.infra.sfn.Execution.Succeeded;
import dev.featurepipe.infra.sfn.Frame.Entered;
import dev.featurepipe.infra.sfn.Model.ItemBatcherSpec;
import dev.featurepipe.infra.sfn.Model.ItemReaderSpec;
import dev.featurepipe.infra.sfn.Model.MapState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Map state in DISTRIBUTED mode: items from an S3 JSON/JSONL object or the input, optional
 * batching, one child execution per item or batch (each with its own name and history), a failure
 * tolerance, and results either returned or written to S3 in the Map Run result format.
 *
 * <p>A child is named {@code <mapRunId>_<nnnnnn>} (its item or batch index) and belongs to the
 * state machine {@code <parent>/<label>}, as AWS names a Map Run's children.
 */
final class DistributedMap {

  /** Bytes of {@code {"Items":[]}}, the frame of every batch. */
  private static final int BATCH_FRAME_BYTES = "{\"Items\":[]}".length();

  /** Bytes of {@code ,"BatchInput":} added when the batcher has a BatchInput. */
  private static final int BATCH_INPUT_KEY_BYTES = ",\"BatchInput\":".length();

  private DistributedMap() {}

  /** One child's input and the items it carries (for the failure tolerance, which counts items). */
  private record Child(JsonNode input, int items) {}

  static JsonNode run(Frame frame, MapState map, JsonNode raw, Entered entered, int retryCount) throws StateFailure {
    Execution exec = frame.execution();
    Engine engine = exec.engine;
    JsonNode context = frame.context(entered, retryCount);
    JsonNode effective = frame.inputPath(map.inputPath(), raw, context, entered);
    int concurrency = frame.concurrency(map, effective, context, entered);
    Integer toleratedCount = map.toleratedFailureCount();
    if (map.toleratedFailureCountPath() != null) {
      toleratedCount =
          frame.nonNegativeInt(map.toleratedFailureCountPath(), "ToleratedFailureCountPath", effective, context, entered);
    }
    Double toleratedPercentage = map.toleratedFailurePercentage();
    if (map.toleratedFailurePercentagePath() != null) {
      JsonNode value = map.toleratedFailurePercentagePath().read(effective, context).orElse(null);
      if (value == null || !value.isNumber() || value.asDouble() < 0 || value.asDouble() > 100) {
        throw Frame.runtime(
            entered,
            "The ToleratedFailurePercentagePath '" + map.toleratedFailurePercentagePath()
                + "' must reference a number from 0 to 100");
      }
      toleratedPercentage = value.asDouble();
    }
    // Derived from the execution, the state's place in it and the attempt, so reruns reuse the id.
    String mapRunId =
        UUID.nameUUIDFromBytes((exec.arn + "|" + entered.path() + "|" + retryCount).getBytes(StandardCharsets.UTF_8))
            .toString();
    String childStateMachine = exec.stateMachineName + "/" + map.label();
    String mapRunArn = engine.arn("mapRun", childStateMachine + ":" + mapRunId);

    ArrayNode items = map.itemReader() == null ? frame.items(map, effective, context, entered) : null;
    ObjectNode started = Json.object();
    started.put("length", items == null ? 0 : items.size());
    frame.event("MapStateStarted", map.name(), started);
    ObjectNode runStarted = Json.object();
    runStarted.put("mapRunArn", mapRunArn);
    frame.event("MapRunStarted", map.name(), runStarted);

    List<Execution> children;
    JsonNode result;
    boolean exceeded;
    try {
      if (items == null) {
        items = readItems(frame, map.itemReader(), effective, context, entered);
      }
      List<JsonNode> selected = frame.itemInputs(map, items, effective, context, entered, retryCount);
      List<Child> inputs = batches(frame, map.itemBatcher(), selected, effective, context, entered);
      int totalItems = selected.size();
      AtomicLong failedItems = new AtomicLong();
      Integer count = toleratedCount;
      Double percentage = toleratedPercentage;
      Cancellation group = frame.cancellation().child();
      try {
        children =
            Concurrency.run(
                inputs.size(),
                concurrency,
                group,
                map.name(),
                i -> {
                  Execution child =
                      new Execution(
                          engine, childStateMachine, String.format(Locale.ROOT, "%s_%06d", mapRunId, i),
                          inputs.get(i).input(), group.child());
                  child.run(map.processor(), mapRunArn);
                  child.cancellation.close();
                  return child;
                },
                (i, child) ->
                    child.outcome() instanceof Failed
                        && exceeds(failedItems.addAndGet(inputs.get(i).items()), totalItems, count, percentage),
                null);
      } finally {
        group.close();
      }
      exceeded = exceeds(failedItems.get(), totalItems, count, percentage);
      if (!exceeded && frame.cancellation().isCancelled()) {
        throw new Frame.AbortedException();
      }
      result =
          map.resultWriter() == null
              ? outputs(children)
              : writeResults(frame, map, inputs, children, mapRunId, mapRunArn, effective, context, entered);
      if (exceeded) {
        throw new StateFailure(
            StateFailure.EXCEED_TOLERATED_FAILURE_THRESHOLD, "The specified tolerated failure threshold was exceeded");
      }
    } catch (StateFailure failure) {
      ObjectNode details = Json.object();
      Execution.putIfPresent(details, "error", failure.error());
      Execution.putIfPresent(details, "cause", failure.cause());
      frame.event("MapRunFailed", map.name(), details);
      frame.event("MapStateFailed", map.name(), details.deepCopy());
      throw failure;
    }
    frame.event("MapRunSucceeded", map.name(), Json.object());
    frame.event("MapStateSucceeded", map.name(), Json.object());
    JsonNode selected =
        map.resultSelector() == null
            ? result
            : map.resultSelector().evaluate(frame.env(result, context, entered, "ResultSelector@" + retryCount));
    return frame.finish(map.resultPath(), map.outputPath(), raw, selected, context, entered);
  }

  /**
   * Whether {@code failed} of {@code total} items break the tolerance. Without either tolerance
   * field no failure is tolerated; with both, breaking either fails the Map Run.
   */
  static boolean exceeds(long failed, int total, Integer toleratedCount, Double toleratedPercentage) {
    if (failed == 0) {
      return false;
    }
    if (toleratedCount == null && toleratedPercentage == null) {
      return true;
    }
    boolean overCount = toleratedCount != null && failed > toleratedCount;
    boolean overPercentage = toleratedPercentage != null && failed * 100.0 / Math.max(1, total) > toleratedPercentage;
    return overCount || overPercentage;
  }

  private static ArrayNode readItems(
      Frame frame, ItemReaderSpec reader, JsonNode effective, JsonNode context, Entered entered) throws StateFailure {
    JsonNode parameters = reader.parameters().evaluate(frame.env(effective, context, entered, "ItemReader"));
    JsonNode bucket = parameters.get("Bucket");
    JsonNode key = parameters.get("Key");
    if (bucket == null || !bucket.isTextual() || key == null || !key.isTextual()) {
      throw new StateFailure(
          StateFailure.ITEM_READER_FAILED, "The ItemReader needs string Bucket and Key parameters, got " + Json.preview(parameters));
    }
    String location = "s3://" + bucket.textValue() + "/" + key.textValue();
    byte[] bytes;
    try {
      bytes = frame.execution().engine.store().get(bucket.textValue(), key.textValue());
    } catch (NoSuchObjectException e) {
      throw new StateFailure(StateFailure.ITEM_READER_FAILED, "Cannot read the items at " + location + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new StateFailure(StateFailure.ITEM_READER_FAILED, "Cannot read the items at " + location + ": " + e.getMessage());
    }
    ArrayNode items;
    if (reader.inputType().equals("JSONL")) {
      items = Json.NODES.arrayNode();
      String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
      for (int i = 0; i < lines.length; i++) {
        if (lines[i].isBlank()) {
          continue;
        }
        try {
          items.add(Json.parse(lines[i]));
        } catch (IOException e) {
          throw new StateFailure(
              StateFailure.ITEM_READER_FAILED, "Line " + (i + 1) + " of " + location + " is not JSON: " + e.getMessage());
        }
      }
    } else {
      JsonNode parsed;
      try {
        parsed = Json.parse(bytes);
      } catch (IOException e) {
        throw new StateFailure(StateFailure.ITEM_READER_FAILED, "The object " + location + " is not JSON: " + e.getMessage());
      }
      if (!(parsed instanceof ArrayNode array)) {
        throw new StateFailure(
            StateFailure.ITEM_READER_FAILED,
            "The object " + location + " must hold a JSON array for InputType JSON, got " + Json.typeName(parsed));
      }
      items = array;
    }
    Integer maxItems = reader.maxItems();
    if (reader.maxItemsPath() != null) {
      maxItems = frame.nonNegativeInt(reader.maxItemsPath(), "MaxItemsPath", effective, context, entered);
    }
    if (maxItems != null && maxItems > 0 && items.size() > maxItems) {
      ArrayNode limited = Json.NODES.arrayNode();
      for (int i = 0; i < maxItems; i++) {
        limited.add(items.get(i));
      }
      items = limited;
    }
    return items;
  }

  /**
   * Groups items in order into {@code {"Items":[...],"BatchInput":{...}}} inputs, starting a new
   * batch when the next item would pass MaxItemsPerBatch or MaxInputBytesPerBatch.
   */
  private static List<Child> batches(
      Frame frame, ItemBatcherSpec batcher, List<JsonNode> items, JsonNode effective, JsonNode context, Entered entered)
      throws StateFailure {
    List<Child> children = new ArrayList<>();
    if (batcher == null) {
      items.forEach(item -> children.add(new Child(item, 1)));
      return children;
    }
    int maxItems = Integer.MAX_VALUE;
    if (batcher.maxItemsPerBatch() != null) {
      maxItems = batcher.maxItemsPerBatch();
    } else if (batcher.maxItemsPerBatchPath() != null) {
      maxItems = positive(frame, batcher.maxItemsPerBatchPath(), "MaxItemsPerBatchPath", effective, context, entered);
    }
    int maxBytes = Json.PAYLOAD_LIMIT_BYTES;
    if (batcher.maxInputBytesPerBatch() != null) {
      maxBytes = batcher.maxInputBytesPerBatch();
    } else if (batcher.maxInputBytesPerBatchPath() != null) {
      maxBytes =
          Math.min(
              Json.PAYLOAD_LIMIT_BYTES,
              positive(frame, batcher.maxInputBytesPerBatchPath(), "MaxInputBytesPerBatchPath", effective, context, entered));
    }
    JsonNode batchInput =
        batcher.batchInput() == null ? null : batcher.batchInput().evaluate(frame.env(effective, context, entered, "BatchInput"));
    long frameBytes = BATCH_FRAME_BYTES + (batchInput == null ? 0 : BATCH_INPUT_KEY_BYTES + Json.utf8Size(batchInput));
    List<JsonNode> batch = new ArrayList<>();
    long batchBytes = frameBytes;
    for (int i = 0; i < items.size(); i++) {
      long itemBytes = Json.utf8Size(items.get(i));
      long withItem = batchBytes + itemBytes + (batch.isEmpty() ? 0 : 1);
      if (!batch.isEmpty() && (batch.size() >= maxItems || withItem > maxBytes)) {
        children.add(batchChild(batch, batchInput));
        batch = new ArrayList<>();
        batchBytes = frameBytes;
        withItem = batchBytes + itemBytes;
      }
      if (withItem > maxBytes) {
        throw Frame.runtime(
            entered, "Item " + i + " makes a batch of " + withItem + " bytes on its own, more than MaxInputBytesPerBatch " + maxBytes);
      }
      batch.add(items.get(i));
      batchBytes = withItem;
    }
    if (!batch.isEmpty()) {
      children.add(batchChild(batch, batchInput));
    }
    return children;
  }

  private static Child batchChild(List<JsonNode> batch, JsonNode batchInput) {
    ObjectNode input = Json.object();
    ArrayNode array = input.putArray("Items");
    batch.forEach(array::add);
    if (batchInput != null) {
      input.set("BatchInput", batchInput);
    }
    return new Child(input, batch.size());
  }

  private static int positive(Frame frame, JsonPath path, String field, JsonNode effective, JsonNode context, Entered entered)
      throws StateFailure {
    int value = frame.nonNegativeInt(path, field, effective, context, entered);
    if (value < 1) {
      throw Frame.runtime(entered, "The " + field + " '" + path + "' must reference a positive integer, got 0");
    }
    return value;
  }

  /** Without a ResultWriter: each child's output in order; a failed child's error in its place. */
  private static ArrayNode outputs(List<Execution> children) {
    ArrayNode outputs = Json.NODES.arrayNode();
    for (Execution child : children) {
      if (child == null) {
        continue;
      }
      switch (child.outcome()) {
        case Succeeded succeeded -> outputs.add(succeeded.output());
        case Failed failed -> {
          ObjectNode error = outputs.addObject();
          Execution.putIfPresent(error, "Error", failed.error());
          Execution.putIfPresent(error, "Cause", failed.cause());
        }
        case Aborted ignored -> outputs.addObject().put("Error", "States.Aborted");
      }
    }
    return outputs;
  }

  /**
   * Writes {@code <Prefix>/<mapRunId>/SUCCEEDED_0.json}, {@code FAILED_0.json} (failed and aborted
   * children), {@code PENDING_0.json} (children never started) and {@code manifest.json}, each only
   * when it has entries, and returns the Map's result: the Map Run ARN and the manifest location.
   */
  private static JsonNode writeResults(
      Frame frame,
      MapState map,
      List<Child> inputs,
      List<Execution> children,
      String mapRunId,
      String mapRunArn,
      JsonNode effective,
      JsonNode context,
      Entered entered)
      throws StateFailure {
    JsonNode parameters = map.resultWriter().parameters().evaluate(frame.env(effective, context, entered, "ResultWriter"));
    JsonNode bucketNode = parameters.get("Bucket");
    JsonNode prefixNode = parameters.get("Prefix");
    if (bucketNode == null || !bucketNode.isTextual() || prefixNode != null && !prefixNode.isTextual()) {
      throw new StateFailure(
          StateFailure.RESULT_WRITER_FAILED,
          "The ResultWriter needs a string Bucket and an optional string Prefix, got " + Json.preview(parameters));
    }
    String bucket = bucketNode.textValue();
    String prefix = prefixNode == null ? "" : prefixNode.textValue();
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix += "/";
    }
    String base = prefix + mapRunId + "/";
    ArrayNode succeeded = Json.NODES.arrayNode();
    ArrayNode failed = Json.NODES.arrayNode();
    ArrayNode pending = Json.NODES.arrayNode();
    for (int i = 0; i < children.size(); i++) {
      Execution child = children.get(i);
      if (child == null) {
        ObjectNode record = pending.addObject();
        record.put("Input", Json.compact(inputs.get(i).input()));
        record.putObject("InputDetails").put("Included", true);
        record.put("Status", "PENDING");
      } else if (child.outcome() instanceof Succeeded) {
        succeeded.add(record(child));
      } else {
        failed.add(record(child));
      }
    }
    ObjectNode manifest = Json.object();
    manifest.put("DestinationBucket", bucket);
    manifest.put("MapRunArn", mapRunArn);
    ObjectNode files = manifest.putObject("ResultFiles");
    files.set("FAILED", writeFile(frame, bucket, base + "FAILED_0.json", failed));
    files.set("PENDING", writeFile(frame, bucket, base + "PENDING_0.json", pending));
    files.set("SUCCEEDED", writeFile(frame, bucket, base + "SUCCEEDED_0.json", succeeded));
    String manifestKey = base + "manifest.json";
    put(frame, bucket, manifestKey, Json.bytes(manifest));
    ObjectNode result = Json.object();
    result.put("MapRunArn", mapRunArn);
    ObjectNode details = result.putObject("ResultWriterDetails");
    details.put("Bucket", bucket);
    details.put("Key", manifestKey);
    return result;
  }

  /** A child's entry in a result file, keys in the alphabetical order AWS writes them. */
  private static ObjectNode record(Execution child) {
    ObjectNode record = Json.object();
    if (child.outcome() instanceof Failed failed) {
      Execution.putIfPresent(record, "Cause", failed.cause());
      Execution.putIfPresent(record, "Error", failed.error());
    }
    record.put("ExecutionArn", child.arn);
    record.put("Input", Json.compact(child.input));
    record.putObject("InputDetails").put("Included", true);
    record.put("Name", child.name);
    if (child.outcome() instanceof Succeeded succeeded) {
      record.put("Output", Json.compact(succeeded.output()));
      record.putObject("OutputDetails").put("Included", true);
    }
    record.put("RedriveCount", 0);
    record.put("RedriveStatus", "NOT_REDRIVABLE");
    record.put(
        "RedriveStatusReason",
        child.outcome() instanceof Succeeded
            ? "Execution is SUCCEEDED and cannot be redriven"
            : "The local runner does not redrive executions");
    record.put("StartDate", Json.isoMillis(child.startTime));
    record.put("StateMachineArn", child.stateMachineArn);
    record.put("Status", child.status());
    record.put("StopDate", Json.isoMillis(child.stopTime()));
    return record;
  }

  private static ArrayNode writeFile(Frame frame, String bucket, String key, ArrayNode records) throws StateFailure {
    ArrayNode entries = Json.NODES.arrayNode();
    if (records.isEmpty()) {
      return entries;
    }
    byte[] bytes = Json.bytes(records);
    put(frame, bucket, key, bytes);
    ObjectNode entry = entries.addObject();
    entry.put("Key", key);
    entry.put("Size", bytes.length);
    return entries;
  }

  private static void put(Frame frame, String bucket, String key, byte[] bytes) throws StateFailure {
    try {
      frame.execution().engine.store().put(bucket, key, bytes, "application/json");
    } catch (RuntimeException e) {
      throw new StateFailure(
          StateFailure.RESULT_WRITER_FAILED, "Cannot write the Map Run results to s3://" + bucket + "/" + key + ": " + e.getMessage());
    }
  }
}
