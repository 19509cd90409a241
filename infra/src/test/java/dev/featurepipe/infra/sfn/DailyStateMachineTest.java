package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** statemachines/daily.asl.json, unchanged, through the runner with stand-ins for its Lambda functions. */
class DailyStateMachineTest {

  private static final String LAKE = "lake";
  private static final String RUN_ID = "run-20260301";
  private static final int CHUNKS = 5;
  private static final int CHUNKS_PER_EXTRACT = 2;
  private static final Map<String, Integer> GROUP_SHARDS = new java.util.LinkedHashMap<>(Map.of("users", 2));

  static {
    GROUP_SHARDS.put("products", 3);
  }

  private String asl;
  private Map<String, String> substitutions;
  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final Map<String, List<JsonNode>> calls = new ConcurrentHashMap<>();
  private final Map<String, Integer> failuresLeft = new ConcurrentHashMap<>();

  @BeforeEach
  void readDefinition() throws IOException {
    asl = Files.readString(Sfn.repoRoot().resolve("statemachines/daily.asl.json"));
    substitutions = new TreeMap<>();
    Matcher placeholders = Pattern.compile("\\$\\{(\\w+)}").matcher(asl);
    while (placeholders.find()) {
      String name = placeholders.group(1);
      String function = name.endsWith("Arn") ? name.substring(0, name.length() - 3) : name;
      substitutions.put(name, "arn:aws:lambda:us-east-1:000000000000:function:" + function + ":live");
    }
  }

  @Test
  void everyPlaceholderIsAFunctionArnAndTheDefinitionParsesWithThem() {
    assertThat(substitutions.keySet())
        .isNotEmpty()
        .allSatisfy(name -> assertThat(name).endsWith("FunctionArn"));
    assertThat(StateMachineDefinition.parse(asl, substitutions)).isNotNull();
  }

  @Test
  void withoutItsSubstitutionsTheDefinitionIsRefusedNamingEachPlaceholder() {
    assertThatThrownBy(() -> StateMachineDefinition.parse(asl, Map.of()))
        .isInstanceOf(AslDefinitionException.class)
        .hasMessageContaining("state 'PlanDailyRun': field 'Parameters.FunctionName' uses placeholder '${PlanDailyRunFunctionArn}'")
        .hasMessageContaining("state 'Extract': field 'Parameters.FunctionName' uses placeholder '${ExtractFunctionArn}'");
  }

  /** Stand-ins for the pipeline's Lambda functions, recording every call. */
  private final TaskInvoker lambdas =
      (ref, payload, info) -> {
        String function = LambdaHandlerInvoker.logicalId(ref);
        calls.computeIfAbsent(function, f -> new CopyOnWriteArrayList<>()).add(payload);
        Integer left = failuresLeft.computeIfPresent(function, (f, n) -> n - 1);
        if (left != null && left >= 0) {
          throw new TaskFailure(
              function.equals("ExtractFunction") ? "dev.featurepipe.errors.SourceUnavailable" : "Lambda.ServiceException",
              "injected failure, " + left + " left");
        }
        return switch (function) {
          case "PlanDailyRunFunction" -> plan(payload);
          case "ExtractFunction" -> extract(payload);
          case "SealBronzeFunction" -> sealBronze(payload);
          case "ShuffleBronzeFunction" -> json("{\"files\": " + payload.get("Items").size() + "}");
          case "BuildFeaturesFunction" -> json("{\"built\": true}");
          case "CommitFeaturesFunction" -> {
            ObjectNode out = Json.object();
            out.set("group", payload.get("group"));
            out.put("shards", payload.get("shardCount").asInt());
            yield out;
          }
          case "LoadFeaturesFunction" -> json("{\"loaded\": true}");
          case "PublishRunFunction" -> {
            ObjectNode out = Json.object();
            out.put("status", "SUCCEEDED");
            out.set("runId", payload.get("runId"));
            out.set("bronze", payload.get("bronze"));
            out.set("committed", payload.get("committed"));
            yield out;
          }
          case "RecordRunFailureFunction" -> json("{}");
          default -> throw new TaskFailure("Lambda.ResourceNotFoundException", "no stand-in for " + function);
        };
      };

  private JsonNode plan(JsonNode input) {
    ArrayNode chunks = Json.NODES.arrayNode();
    for (int i = 0; i < CHUNKS; i++) {
      chunks.addObject().put("source", "clicks").put("key", "src/part-" + i + ".gz");
    }
    String itemsKey = "runs/run_id=" + RUN_ID + "/extract-items.json";
    store.putText(LAKE, itemsKey, Json.compact(chunks));
    ObjectNode plan = Json.object();
    plan.put("runId", RUN_ID);
    plan.set("date", input.get("date"));
    plan.put("lakeBucket", LAKE);
    plan.put("force", false);
    plan.putObject("extractItems").put("bucket", LAKE).put("key", itemsKey);
    plan.putObject("fanout")
        .put("chunksPerExtract", CHUNKS_PER_EXTRACT)
        .put("extractConcurrency", 2)
        .put("transformConcurrency", 3)
        .put("loadConcurrency", 2);
    plan.putArray("groups").add("users").add("products");
    return plan;
  }

  private static JsonNode extract(JsonNode batch) {
    ObjectNode out = Json.object();
    ArrayNode files = out.putArray("files");
    batch.get("Items").forEach(item -> files.add("bronze/" + item.get("key").textValue().replace(".gz", ".parquet")));
    return out;
  }

  /** Like the real handler: reads the Map Run manifest and result files the ResultWriter wrote. */
  private JsonNode sealBronze(JsonNode state) throws TaskFailure {
    JsonNode details = state.get("extractMap").get("ResultWriterDetails");
    JsonNode manifest = json(store.text(details.get("Bucket").textValue(), details.get("Key").textValue()));
    int files = 0;
    for (JsonNode resultFile : manifest.get("ResultFiles").get("SUCCEEDED")) {
      for (JsonNode record : json(store.text(LAKE, resultFile.get("Key").textValue()))) {
        // The Extract state keeps only the Payload (OutputPath), so a child output is the function output.
        files += json(record.get("Output").textValue()).get("files").size();
      }
    }
    ObjectNode out = Json.object();
    out.putObject("manifests").put("src", "bronze/dt=" + state.get("date").textValue() + "/_manifest.json");
    out.put("rows", files * 100);
    out.put("quarantined", 0);
    out.put("files", files);
    out.put("ignored", "not selected");
    // The feature stage as SealBronze sizes it: users in 2 shards, products in 3; one shuffle item
    // per (group, Bronze file).
    ArrayNode shuffle = Json.NODES.arrayNode();
    ArrayNode transform = out.putArray("transformItems");
    ArrayNode commit = out.putArray("commitItems");
    for (Map.Entry<String, Integer> g : GROUP_SHARDS.entrySet()) {
      for (int f = 0; f < files; f++) {
        shuffle.addObject().put("group", g.getKey()).put("file", "bronze/part-" + f + ".parquet");
      }
      for (int shard = 0; shard < g.getValue(); shard++) {
        transform.addObject().put("group", g.getKey()).put("shard", shard).put("shardCount", g.getValue());
      }
      commit.addObject().put("group", g.getKey()).put("shardCount", g.getValue());
    }
    String shuffleKey = "runs/run_id=" + RUN_ID + "/shuffle-items.json";
    store.putText(LAKE, shuffleKey, Json.compact(shuffle));
    out.putObject("shuffleItems").put("bucket", LAKE).put("key", shuffleKey);
    out.put("shuffleCount", shuffle.size());
    return out;
  }

  private static String transformItems() {
    ArrayNode items = Json.NODES.arrayNode();
    GROUP_SHARDS.forEach((group, shards) -> {
      for (int shard = 0; shard < shards; shard++) {
        items.addObject().put("group", group).put("shard", shard).put("shardCount", shards);
      }
    });
    return Json.compact(items);
  }

  private ExecutionResult runDaily(RunnerOptions options) {
    return new LocalStepFunctions(lambdas, store, options)
        .execute(StateMachineDefinition.parse(asl, substitutions), "daily", "daily-2026-03-01", json("{\"date\": \"2026-03-01\"}"));
  }

  @Test
  void aDailyRunGoesThroughTheDistributedExtractAndEveryStage() {
    ExecutionResult result = runDaily(Sfn.options());

    assertThat(result.status()).as("%s %s", result.error(), result.cause()).isEqualTo("SUCCEEDED");
    int batches = (CHUNKS + CHUNKS_PER_EXTRACT - 1) / CHUNKS_PER_EXTRACT;
    assertThat(result.output())
        .isEqualTo(
            json(
                """
                {"status": "SUCCEEDED", "runId": "%s",
                 "bronze": {"manifests": {"src": "bronze/dt=2026-03-01/_manifest.json"}, "rows": %d, "quarantined": 0, "files": %d,
                            "shuffleItems": {"bucket": "lake", "key": "runs/run_id=%s/shuffle-items.json"}, "shuffleCount": %d,
                            "transformItems": %s, "commitItems": [{"group": "users", "shardCount": 2}, {"group": "products", "shardCount": 3}]},
                 "committed": [{"group": "users", "shards": 2}, {"group": "products", "shards": 3}]}
                """.formatted(RUN_ID, CHUNKS * 100, CHUNKS, RUN_ID, 2 * CHUNKS, transformItems())));

    List<JsonNode> extractCalls = calls.get("ExtractFunction");
    assertThat(extractCalls).hasSize(batches);
    List<String> extractedKeys = new ArrayList<>();
    for (JsonNode batch : extractCalls) {
      assertThat(batch.get("BatchInput")).isEqualTo(json("{\"runId\": \"%s\", \"date\": \"2026-03-01\", \"lakeBucket\": \"lake\", \"force\": false}".formatted(RUN_ID)));
      assertThat(batch.get("Items").size()).isBetween(1, CHUNKS_PER_EXTRACT);
      batch.get("Items").forEach(item -> extractedKeys.add(item.get("key").textValue()));
    }
    List<String> expectedKeys = new ArrayList<>();
    for (int i = 0; i < CHUNKS; i++) {
      expectedKeys.add("src/part-" + i + ".gz");
    }
    assertThat(extractedKeys).containsExactlyInAnyOrderElementsOf(expectedKeys);

    // The shuffle map: every (group, Bronze file) item exactly once, in batches of chunksPerExtract.
    List<String> shuffled = new ArrayList<>();
    calls.get("ShuffleBronzeFunction").forEach(batch -> {
      assertThat(batch.get("Items").size()).isBetween(1, CHUNKS_PER_EXTRACT);
      batch.get("Items").forEach(i -> shuffled.add(i.get("group").textValue() + " " + i.get("file").textValue()));
    });
    assertThat(shuffled).hasSize(2 * CHUNKS).doesNotHaveDuplicates();

    assertThat(calls.get("BuildFeaturesFunction")).hasSize(5).allSatisfy(payload -> {
      assertThat(payload.get("bronzeManifests")).isEqualTo(json("{\"src\": \"bronze/dt=2026-03-01/_manifest.json\"}"));
      assertThat(payload.get("runId").textValue()).isEqualTo(RUN_ID);
    });
    assertThat(calls.get("CommitFeaturesFunction")).extracting(p -> p.get("group").textValue()).containsExactlyInAnyOrder("users", "products");
    assertThat(calls.get("CommitFeaturesFunction")).extracting(p -> p.get("shardCount").asInt()).containsExactlyInAnyOrder(2, 3);
    assertThat(calls.get("LoadFeaturesFunction")).hasSize(5);
    assertThat(calls).doesNotContainKey("RecordRunFailureFunction");
    assertThat(store.keys())
        .anySatisfy(key -> assertThat(key).matches("lake/runs/run_id=" + RUN_ID + "/extract-map/[0-9a-f-]{36}/manifest.json"));
  }

  @Test
  void eachExecutionOfTheRunWritesItsHistory() {
    runDaily(new RunnerOptions(0, 4, Optional.of(LAKE), "runs/executions/", new Sfn.SteppingClock()));
    List<String> histories = store.keys().stream().filter(k -> k.startsWith("lake/runs/executions/")).toList();
    int batches = (CHUNKS + CHUNKS_PER_EXTRACT - 1) / CHUNKS_PER_EXTRACT;
    assertThat(histories).contains("lake/runs/executions/daily/daily-2026-03-01.json");
    assertThat(histories.stream().filter(k -> k.startsWith("lake/runs/executions/daily/ExtractAll/"))).hasSize(batches);
  }

  @Test
  void aSourceThatRecoversWithinTheRetriesDoesNotFailTheRun() {
    assertThat(maxAttempts("Extract", "dev.featurepipe.errors.SourceUnavailable")).isGreaterThanOrEqualTo(2);
    failuresLeft.put("ExtractFunction", 2);
    failuresLeft.put("PlanDailyRunFunction", 1);
    ExecutionResult result = runDaily(Sfn.options());
    assertThat(result.status()).as("%s %s", result.error(), result.cause()).isEqualTo("SUCCEEDED");
    int batches = (CHUNKS + CHUNKS_PER_EXTRACT - 1) / CHUNKS_PER_EXTRACT;
    assertThat(calls.get("ExtractFunction")).hasSize(batches + 2);
    assertThat(calls.get("PlanDailyRunFunction")).hasSize(2);
  }

  @Test
  void anExtractThatKeepsFailingRecordsTheFailureAndFailsTheRun() {
    failuresLeft.put("ExtractFunction", 1000);
    ExecutionResult result = runDaily(Sfn.options());

    assertThat(result.status()).isEqualTo("FAILED");
    // A Distributed Map reports its children's failures as one threshold error, as AWS does.
    assertThat(result.error()).contains("States.ExceedToleratedFailureThreshold");
    assertThat(result.cause()).contains("The specified tolerated failure threshold was exceeded");
    List<JsonNode> recorded = calls.get("RecordRunFailureFunction");
    assertThat(recorded).hasSize(1);
    assertThat(recorded.get(0).get("error").get("Error").textValue()).isEqualTo("States.ExceedToleratedFailureThreshold");
    assertThat(recorded.get(0).get("runId").textValue()).isEqualTo(RUN_ID);
    // The children's own errors stay readable in the Map Run's FAILED results.
    String failedFile = store.keys().stream().filter(k -> k.endsWith("/FAILED_0.json")).findFirst().orElseThrow();
    List<JsonNode> failed = new ArrayList<>();
    json(store.text(LAKE, failedFile.substring(LAKE.length() + 1))).forEach(failed::add);
    // Siblings still running when the threshold broke are ABORTED; which ones depends on timing.
    assertThat(failed)
        .filteredOn(record -> record.get("Status").textValue().equals("FAILED"))
        .isNotEmpty()
        .allSatisfy(record -> assertThat(record.get("Error").textValue()).isEqualTo("dev.featurepipe.errors.SourceUnavailable"));
    assertThat(failed).extracting(record -> record.get("Status").textValue()).isSubsetOf("FAILED", "ABORTED");
  }

  @Test
  void aFailedPlanSkipsStraightToRecordingTheFailure() {
    failuresLeft.put("PlanDailyRunFunction", 100);
    ExecutionResult result = runDaily(Sfn.options());
    assertThat(result.error()).contains("Lambda.ServiceException");
    // The first attempt, the retries the definition allows for a Lambda service error, then the catcher.
    int attempts = 1 + maxAttempts("PlanDailyRun", "Lambda.ServiceException");
    assertThat(calls.get("PlanDailyRunFunction")).hasSize(attempts);
    assertThat(calls.keySet()).containsExactlyInAnyOrder("PlanDailyRunFunction", "RecordRunFailureFunction");
    Map<String, Long> types = new HashMap<>();
    result.history().forEach(e -> types.merge(e.type(), 1L, Long::sum));
    assertThat(types.get("TaskFailed")).isEqualTo((long) attempts);
  }

  /** MaxAttempts of the state's first retrier listing {@code error}, read from the definition itself. */
  private int maxAttempts(String state, String error) {
    for (JsonNode retrier : findState(json(asl), state).get("Retry")) {
      for (JsonNode name : retrier.get("ErrorEquals")) {
        if (name.textValue().equals(error)) {
          return retrier.path("MaxAttempts").asInt(3);
        }
      }
    }
    throw new AssertionError(state + " has no retrier for " + error);
  }

  /** The state named {@code name} at any depth (Map processors included). */
  private static JsonNode findState(JsonNode node, String name) {
    if (node.has("States") && node.get("States").has(name)) {
      return node.get("States").get(name);
    }
    for (JsonNode child : node) {
      if (child.isContainerNode()) {
        JsonNode found = findState(child, name);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
