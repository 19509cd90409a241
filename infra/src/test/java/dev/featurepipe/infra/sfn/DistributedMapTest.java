package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.asl;
import static dev.featurepipe.infra.sfn.Sfn.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class DistributedMapTest {

  private static final String WORK = "arn:aws:lambda:us-east-1:123456789012:function:Work";

  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final List<JsonNode> childInputs = new CopyOnWriteArrayList<>();
  private final List<InvocationInfo> childCalls = new CopyOnWriteArrayList<>();

  /**
   * Stand-in for Lambda: for a batch returns {"count", "sum"} of its items' "n"; for a single item
   * returns {"n2": n * 2}. Any item with "fail": true makes it throw.
   */
  private final TaskInvoker work =
      (ref, payload, info) -> {
        childInputs.add(payload);
        childCalls.add(info);
        List<JsonNode> items = new ArrayList<>();
        if (payload.has("Items")) {
          payload.get("Items").forEach(items::add);
        } else {
          items.add(payload);
        }
        for (JsonNode item : items) {
          if (item.path("fail").asBoolean()) {
            throw new TaskFailure("Work.Failed", "item " + item.path("n").asInt() + " is bad");
          }
        }
        ObjectNode out = Json.object();
        if (payload.has("Items")) {
          out.put("count", items.size());
          out.put("sum", items.stream().mapToInt(i -> i.path("n").asInt()).sum());
        } else {
          out.put("n2", payload.path("n").asInt() * 2);
        }
        return out;
      };

  private static String map(String fields) {
    return """
        {"StartAt": "Fan", "States": {
          "Fan": {"Type": "Map", %s
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
              "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "%s", "End": true}}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
            "End": true},
          "Caught": {"Type": "Pass", "End": true}}}
        """.formatted(fields, WORK);
  }

  private static final String READER =
      """
      "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                     "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"}},
      """;

  private static final String INPUT = "{\"bucket\": \"in\", \"key\": \"items.json\", \"per\": 3, \"run\": \"r-7\"}";

  private ArrayNode storeItems(int count, int... failing) {
    ArrayNode items = Json.NODES.arrayNode();
    for (int n = 0; n < count; n++) {
      ObjectNode item = items.addObject();
      item.put("n", n);
      for (int f : failing) {
        if (f == n) {
          item.put("fail", true);
        }
      }
    }
    store.putText("in", "items.json", Json.compact(items));
    return items;
  }

  private ExecutionResult run(String asl, String input) {
    return run(asl, input, Sfn.options());
  }

  private ExecutionResult run(String asl, String input, RunnerOptions options) {
    return new LocalStepFunctions(work, store, options).execute(asl(asl), "test-machine", "test-execution", json(input));
  }

  @Test
  void itemsFromAnS3JsonArrayAreBatchedWithTheBatchInput() {
    ArrayNode items = storeItems(7);
    String fields = READER + "\"ItemBatcher\": {\"MaxItemsPerBatchPath\": \"$.per\", \"BatchInput\": {\"run.$\": \"$.run\"}},";
    ExecutionResult result = run(map(fields), INPUT);

    List<JsonNode> expectedInputs = new ArrayList<>();
    ArrayNode expectedOutput = Json.NODES.arrayNode();
    for (int from = 0; from < items.size(); from += 3) {
      ObjectNode batch = Json.object();
      ArrayNode batchItems = batch.putArray("Items");
      int sum = 0;
      for (int i = from; i < Math.min(from + 3, items.size()); i++) {
        batchItems.add(items.get(i));
        sum += i;
      }
      batch.putObject("BatchInput").put("run", "r-7");
      expectedInputs.add(batch);
      expectedOutput.addObject().put("count", batchItems.size()).put("sum", sum);
    }
    assertThat(result.status()).as("%s", result.cause()).isEqualTo("SUCCEEDED");
    assertThat(childInputs).containsExactlyInAnyOrderElementsOf(expectedInputs);
    assertThat(result.output()).isEqualTo(expectedOutput);
  }

  @Test
  void maxItemsLimitsWhatTheReaderHandsOn() {
    storeItems(10);
    String reader = READER.replace("\"InputType\": \"JSON\"", "\"InputType\": \"JSON\", \"MaxItems\": 4");
    ExecutionResult result = run(map(reader), INPUT);
    assertThat(result.output()).isEqualTo(json("[{\"n2\": 0}, {\"n2\": 2}, {\"n2\": 4}, {\"n2\": 6}]"));
  }

  @Test
  void jsonLinesObjectsAreReadOneItemPerLine() {
    store.putText("in", "items.jsonl", "{\"n\": 1}\n{\"n\": 2}\n\n{\"n\": 3}\n");
    String reader = READER.replace("\"JSON\"", "\"JSONL\"");
    ExecutionResult result = run(map(reader), INPUT.replace("items.json", "items.jsonl"));
    assertThat(result.output()).isEqualTo(json("[{\"n2\": 2}, {\"n2\": 4}, {\"n2\": 6}]"));
  }

  @Test
  void maxInputBytesPerBatchCutsGreedilyBySerialisedSize() {
    ArrayNode items = Json.NODES.arrayNode();
    for (int n = 0; n < 12; n++) {
      items.addObject().put("n", n).put("pad", "p".repeat(n * 3));
    }
    store.putText("in", "items.json", Json.compact(items));
    int limit = 120;
    ExecutionResult result = run(map(READER + "\"ItemBatcher\": {\"MaxInputBytesPerBatch\": " + limit + "},"), INPUT);
    assertThat(result.status()).as("%s", result.cause()).isEqualTo("SUCCEEDED");

    List<JsonNode> batches = new ArrayList<>(childInputs);
    batches.sort((a, b) -> Integer.compare(a.get("Items").get(0).get("n").asInt(), b.get("Items").get(0).get("n").asInt()));
    List<JsonNode> flattened = new ArrayList<>();
    for (int b = 0; b < batches.size(); b++) {
      JsonNode batch = batches.get(b);
      int size = Json.compact(batch).getBytes(StandardCharsets.UTF_8).length;
      assertThat(size).as("batch %d fits", b).isLessThanOrEqualTo(limit);
      batch.get("Items").forEach(flattened::add);
      if (b + 1 < batches.size()) {
        ObjectNode grown = batch.deepCopy();
        ((ArrayNode) grown.get("Items")).add(batches.get(b + 1).get("Items").get(0));
        assertThat(Json.compact(grown).getBytes(StandardCharsets.UTF_8).length)
            .as("batch %d is as full as it can be", b)
            .isGreaterThan(limit);
      }
    }
    List<JsonNode> original = new ArrayList<>();
    items.forEach(original::add);
    assertThat(flattened).isEqualTo(original);
  }

  @Test
  void theResultWriterWritesTheManifestAndResultFilesInTheAwsLayout() {
    ArrayNode items = storeItems(3);
    String fields =
        READER
            + """
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                             "Parameters": {"Bucket": "out", "Prefix.$": "States.Format('runs/{}/fan', $.run)"}},
            """;
    ExecutionResult result = run(map(fields), INPUT);

    JsonNode output = result.output();
    String mapRunArn = output.get("MapRunArn").textValue();
    assertThat(mapRunArn).startsWith("arn:aws:states:us-east-1:000000000000:mapRun:test-machine/Fan:");
    String mapRunId = mapRunArn.substring(mapRunArn.lastIndexOf(':') + 1);
    String base = "runs/r-7/fan/" + mapRunId + "/";
    assertThat(output.get("ResultWriterDetails")).isEqualTo(json("{\"Bucket\": \"out\", \"Key\": \"" + base + "manifest.json\"}"));

    JsonNode manifest = json(store.text("out", base + "manifest.json"));
    String succeededText = store.text("out", base + "SUCCEEDED_0.json");
    assertThat(manifest)
        .isEqualTo(
            json(
                """
                {"DestinationBucket": "out", "MapRunArn": "%s",
                 "ResultFiles": {"FAILED": [], "PENDING": [],
                                 "SUCCEEDED": [{"Key": "%sSUCCEEDED_0.json", "Size": %d}]}}
                """.formatted(mapRunArn, base, succeededText.getBytes(StandardCharsets.UTF_8).length)));

    JsonNode records = json(succeededText);
    assertThat(records).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode record = records.get(i);
      String name = "%s_%06d".formatted(mapRunId, i);
      assertThat(record.get("Name").textValue()).isEqualTo(name);
      assertThat(record.get("ExecutionArn").textValue())
          .isEqualTo("arn:aws:states:us-east-1:000000000000:execution:test-machine/Fan:" + name);
      assertThat(record.get("StateMachineArn").textValue()).isEqualTo("arn:aws:states:us-east-1:000000000000:stateMachine:test-machine/Fan");
      assertThat(record.get("Status").textValue()).isEqualTo("SUCCEEDED");
      assertThat(json(record.get("Input").textValue())).isEqualTo(items.get(i));
      assertThat(json(record.get("Output").textValue())).isEqualTo(json("{\"n2\": " + (i * 2) + "}"));
      assertThat(record.get("InputDetails")).isEqualTo(json("{\"Included\": true}"));
      List<String> keys = new ArrayList<>();
      record.fieldNames().forEachRemaining(keys::add);
      assertThat(keys).isSorted();
    }
  }

  @Test
  void toleratedFailuresLetTheMapSucceedAndAreListedInTheFailedFile() {
    storeItems(4, 2);
    String fields =
        READER
            + """
            "ToleratedFailureCount": 1,
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "res/"}},
            """;
    ExecutionResult result = run(map(fields), INPUT);
    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(result.output().has("error")).isFalse();
    String manifestKey = result.output().get("ResultWriterDetails").get("Key").textValue();
    assertThat(manifestKey).startsWith("res/").doesNotContain("//");
    String base = manifestKey.substring(0, manifestKey.length() - "manifest.json".length());
    JsonNode failed = json(store.text("out", base + "FAILED_0.json"));
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).get("Error").textValue()).isEqualTo("Work.Failed");
    assertThat(failed.get(0).get("Cause").textValue()).isEqualTo("item 2 is bad");
    assertThat(failed.get(0).get("Status").textValue()).isEqualTo("FAILED");
    assertThat(json(store.text("out", base + "SUCCEEDED_0.json"))).hasSize(3);
  }

  @Test
  void withoutAResultWriterAToleratedFailureLeavesItsErrorInItsPlace() {
    storeItems(3, 1);
    ExecutionResult result = run(map(READER + "\"ToleratedFailurePercentage\": 50,"), INPUT);
    assertThat(result.output())
        .isEqualTo(json("[{\"n2\": 0}, {\"Error\": \"Work.Failed\", \"Cause\": \"item 1 is bad\"}, {\"n2\": 4}]"));
  }

  @Test
  void failuresAboveTheToleratedPercentageFailTheMap() {
    storeItems(10, 1, 5, 8);
    ExecutionResult result = run(map(READER + "\"ToleratedFailurePercentagePath\": \"$.pct\","), INPUT.replace("}", ", \"pct\": 20}"));
    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(result.output().get("error"))
        .isEqualTo(
            json(
                "{\"Error\": \"States.ExceedToleratedFailureThreshold\", \"Cause\": \"The specified tolerated failure threshold was exceeded\"}"));
  }

  @Test
  void withoutToleranceFieldsOneFailedChildFailsTheMap() {
    storeItems(3, 0);
    ExecutionResult result = run(map(READER + "\"MaxConcurrency\": 1,"), INPUT);
    assertThat(result.output().get("error").get("Error").textValue()).isEqualTo("States.ExceedToleratedFailureThreshold");
    // With one child at a time, the failure stops the Map Run before the others start.
    assertThat(childCalls).hasSize(1);
  }

  @Test
  void aMissingItemsObjectFailsWithItemReaderFailed() {
    ExecutionResult result = run(map(READER), INPUT);
    assertThat(result.output().get("error"))
        .isEqualTo(
            json(
                "{\"Error\": \"States.ItemReaderFailed\", \"Cause\": \"Cannot read the items at s3://in/items.json: no object s3://in/items.json\"}"));
  }

  @Test
  void anItemsObjectThatIsNotAnArrayFailsWithItemReaderFailed() {
    store.putText("in", "items.json", "{\"n\": 1}");
    ExecutionResult result = run(map(READER), INPUT);
    assertThat(result.output().get("error").get("Error").textValue()).isEqualTo("States.ItemReaderFailed");
    assertThat(result.output().get("error").get("Cause").textValue())
        .isEqualTo("The object s3://in/items.json must hold a JSON array for InputType JSON, got object");
  }

  @Test
  void aResultWriterThatCannotWriteFailsWithResultWriterFailed() {
    storeItems(2);
    ObjectStore refusing =
        new ObjectStore() {
          @Override
          public byte[] get(String bucket, String key) throws NoSuchObjectException {
            return store.get(bucket, key);
          }

          @Override
          public void put(String bucket, String key, byte[] bytes, String contentType) {
            // Fault injection: the bucket refuses writes.
            throw new IllegalStateException("Access Denied");
          }
        };
    String fields =
        READER + "\"ResultWriter\": {\"Resource\": \"arn:aws:states:::s3:putObject\", \"Parameters\": {\"Bucket\": \"out\"}},";
    ExecutionResult result =
        new LocalStepFunctions(work, refusing, Sfn.options()).execute(asl(map(fields)), "m", "e", json(INPUT));
    assertThat(result.output().get("error").get("Error").textValue()).isEqualTo("States.ResultWriterFailed");
    assertThat(result.output().get("error").get("Cause").textValue()).startsWith("Cannot write the Map Run results to s3://out/");
  }

  @Test
  void withoutAnItemReaderTheItemsComeFromItemsPath() {
    String fields = "\"ItemsPath\": \"$.list\", \"ItemSelector\": {\"n.$\": \"$$.Map.Item.Value\"},";
    ExecutionResult result = run(map(fields), "{\"list\": [5, 6]}");
    assertThat(result.output()).isEqualTo(json("[{\"n2\": 10}, {\"n2\": 12}]"));
  }

  @Test
  void childrenAreExecutionsWithTheirOwnNamesAndHistories() {
    storeItems(2);
    RunnerOptions withHistory = new RunnerOptions(0, 4, Optional.of("hist"), "executions/", new Sfn.SteppingClock());
    ExecutionResult result = run(map(READER), INPUT, withHistory);

    HistoryEvent runStarted =
        result.history().stream().filter(e -> e.type().equals("MapRunStarted")).findFirst().orElseThrow();
    String mapRunArn = runStarted.details().get("mapRunArn").textValue();
    String mapRunId = mapRunArn.substring(mapRunArn.lastIndexOf(':') + 1);
    assertThat(childCalls)
        .extracting(InvocationInfo::executionName)
        .containsExactlyInAnyOrder(mapRunId + "_000000", mapRunId + "_000001");
    assertThat(store.keys())
        .contains(
            "hist/executions/test-machine/test-execution.json",
            "hist/executions/test-machine/Fan/" + mapRunId + "_000000.json",
            "hist/executions/test-machine/Fan/" + mapRunId + "_000001.json");
    JsonNode child = json(store.text("hist", "executions/test-machine/Fan/" + mapRunId + "_000001.json"));
    assertThat(child.get("status").textValue()).isEqualTo("SUCCEEDED");
    assertThat(child.get("input")).isEqualTo(json("{\"n\": 1}"));
    assertThat(child.get("events").get(0).get("details").get("mapRunArn").textValue()).isEqualTo(mapRunArn);
    assertThat(result.history())
        .extracting(HistoryEvent::type)
        .containsSubsequence("MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded", "MapStateExited");
  }

  @Test
  void theMapRunIdIsTheSameForTheSameExecutionNameAndDiffersOtherwise() {
    storeItems(1);
    String first = mapRunArn(run(map(READER), INPUT));
    String again = mapRunArn(run(map(READER), INPUT));
    String other =
        mapRunArn(new LocalStepFunctions(work, store, Sfn.options()).execute(asl(map(READER)), "test-machine", "another", json(INPUT)));
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  private static String mapRunArn(ExecutionResult result) {
    return result.history().stream()
        .filter(e -> e.type().equals("MapRunStarted"))
        .findFirst()
        .orElseThrow()
        .details()
        .get("mapRunArn")
        .textValue();
  }
}
