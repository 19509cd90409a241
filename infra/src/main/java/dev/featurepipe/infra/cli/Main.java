package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.infra.demo.CatalogApi;
import dev.featurepipe.infra.demo.CatalogGenerator;
import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.infra.demo.DemoDatabase;
import dev.featurepipe.infra.demo.DemoSources;
import dev.featurepipe.infra.demo.UsersGenerator;
import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackMain;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.online.EntityFeatures;
import dev.featurepipe.online.FeatureStoreClient;
import dev.featurepipe.ops.Json;
import dev.featurepipe.ops.Telemetry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

/** The {@code ./featurepipe} command line. */
public final class Main {

  /** The demo's fixed date: the same command prints the same digests on every machine. */
  static final String DEMO_DATE = "2026-11-24";

  /** The demo's configuration: the clickstream plus a database table and a REST API on 127.0.0.1. */
  static final String DEMO_CONFIG = "config/demo/pipeline.yaml";
  static final List<String> DAILY_STAGES =
      List.of("PlanDailyRun", "ExtractAll", "SealBronze", "ShuffleAll", "BuildAllFeatures", "CommitAllGroups", "LoadAllFeatures",
          "PublishRun");

  private static final String HELP = """
      usage: ./featurepipe <command> [options]

        demo   [--date D] [--events N]     generate a demo clickstream for D and run the daily workflow
                                           on the embedded local stack (state in .featurepipe/)
        test                               run the whole test suite (./mvnw -B verify)
        stack                              run the embedded stack in the foreground and print endpoints
        run    --date D [--force] [--shards N] [--chunks-per-extract N]
                                           run the daily workflow over what is in the local source bucket;
                                           a date whose inputs did not change is skipped unless --force
        get    <pk> [--sk SK] [--raw]      print an entity's features decoded with the group's meta (types,
                                           vector labels), e.g. get u:feat:user-0000001; --raw and meta:
                                           keys print the stored items as JSON
        schemas [SUBJECT...] [--export DIR]
                                           the source schema versions in the control table (the config's,
                                           and those runs registered for new nullable columns); --export
                                           writes DIR/<subject>.v<N>.avsc, e.g. --export config/schemas
        train-set --labels s3://...|FILE --model-version MV [--groups G1,G2] [--key-columns COL|G=COL,...]
                  [--time-column C] [--label-column C] [--label-type string|long|double|boolean]
                  [--run-id R] [--pin-from RUN] [--rows-per-part N] [--part-concurrency N]
                                           a point-in-time training set from the Silver tables under
                                           gold/model_version=MV/ (statemachines/training.asl.json);
                                           a local labels file is uploaded to the lake first;
                                           --pin-from rebuilds at an earlier set's snapshot ids
        bench  [--events N] [--parallel N] [--shards N] [--chunks-per-extract N]
                                           time every stage at N events (default 1,000,000) in a scratch
                                           stack, beside DuckDB (threads=1) on the same inputs
        bench connectors [--rows N] [--only jdbc,rest,...] [--repeat N]
                                           each source connector's Extract into Bronze, one item and
                                           two in parallel, beside DuckDB or a bare client loop
        bench features [--events N] [--repeat N]
                                           the feature engine (tiles, window merge, end to end) on N events
                                           (default 10,000,000) over 30 days, beside DuckDB (threads=1)
        bench online [--items N] [--gets N] [--batch-gets N]
                                           the DynamoDB loader alone (1 and 4 writer threads) and the reader's
                                           get / batch-get latency, against dynalite, with 1 TB/day capacity math
        bench quality [--stage extract|transform] [--rows N] [--repeat N]
                                           the clickstream's Extract without and with Bronze quality rules
                                           of every kind (default 1,000,000 rows): what the checks add;
                                           --stage transform: BuildFeatures without and with feature rules
                                           (default 10,000,000 rows)
        bench schemas [--objects N] [--repeat N]
                                           what schema evolution adds to planning: N CSV and N Parquet objects'
                                           headers and footers (default 1,000 each) and a table's columns
        bench training [--labels N] [--entities N] [--days N] [--rows-per-part N]
                                           a point-in-time training set (default 1,000,000 labels over
                                           50,000 entities x 30 days of Silver) beside DuckDB's ASOF JOIN
                                           (threads=1)
        help                               this text
      """;

  private Main() {}

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  static int run(String[] argv, PrintStream out, PrintStream err) {
    if (System.getProperty(Telemetry.PROPERTY) == null) {
      // The handlers' JSON logs and EMF lines go where CloudWatch would have them: one file.
      System.setProperty(Telemetry.PROPERTY, "file:" + logFile());
    }
    if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
      out.print(HELP);
      return argv.length == 0 ? 2 : 0;
    }
    try {
      switch (argv[0]) {
        case "demo" -> demo(Args.parse("demo", argv, 1, Set.of("date", "events"), Set.of()), out);
        case "run" -> runDaily(Args.parse("run", argv, 1, Set.of("date", "shards", "chunks-per-extract"), Set.of("force")), out);
        case "bench" -> Bench.main(argv, out);
        case "train-set" -> TrainSet.run(Args.parse("train-set", argv, 1, TrainSet.OPTIONS, Set.of()), out);
        case "get" -> get(Args.parse("get", argv, 1, Set.of("sk"), Set.of("raw")), out);
        case "schemas" -> Schemas.run(Args.parse("schemas", argv, 1, Set.of("export"), Set.of()), out);
        case "stack" -> StackMain.main(java.util.Arrays.copyOfRange(argv, 1, argv.length));
        default -> throw new Args.UsageError("unknown command " + argv[0] + "; ./featurepipe help lists them");
      }
      return 0;
    } catch (Args.UsageError e) {
      err.println("featurepipe: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println("featurepipe: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    }
  }

  static void demo(Args args, PrintStream out) {
    LocalDate date = args.date("demo", "date", DEMO_DATE);
    int events = args.intValue("demo", "events", 100_000);
    Path root = RepoRoot.locate();
    requireWorkingDirectory(root);
    StackOptions options = StackOptions.defaults(root);
    LoadedConfig config = ConfigLoader.load(root.resolve(DEMO_CONFIG));
    ClickstreamGenerator.Spec clicks = ClickstreamGenerator.Spec.demo(date, events);
    UsersGenerator.Dataset users = UsersGenerator.generate(UsersGenerator.Spec.of(clicks));
    CatalogGenerator.Dataset catalog = CatalogGenerator.generate(CatalogGenerator.Spec.of(clicks));
    out.printf(Locale.ROOT, "FeaturePipe demo: the daily workflow for %s on the embedded local stack, three sources%n", date);
    // The database and the API start on their own thread while the stack starts on this one.
    try (DemoSources.Starting starting = DemoSources.startInBackground(options.stateDir().resolve("demo"),
            DemoSources.Ports.DEFAULT, users, catalog);
        LocalPipeline local = LocalPipeline.start(root, options, config)) {
      EmbeddedStack stack = local.stack();
      out.printf(Locale.ROOT, "  stack    S3 %s, DynamoDB %s, Iceberg JDBC catalog in %s (up in %s)%n",
          stack.s3Endpoint(), stack.dynamoDbEndpoint(), options.stateDir(), RunReport.ms(stack.startupDuration()));
      DemoSources sources = starting.await();
      out.printf(Locale.ROOT, "  sources  PostgreSQL %s and the catalog API %s (up and loaded in %s)%n",
          sources.database().jdbcUrl(), sources.api().baseUrl(), RunReport.ms(sources.startupDuration()));
      var dataset = ClickstreamGenerator.generate(clicks, "clickstream/");
      local.upload(dataset);
      out.printf(Locale.ROOT, "  source   clickstream: %,d events and %,d deliberately bad lines in %d gzip JSON Lines objects (%s)%n",
          dataset.validEvents().size(), dataset.lines().size() - dataset.validEvents().size(), dataset.objects().size(),
          RunReport.mb(dataset.rawBytes()));
      out.printf(Locale.ROOT, "           s3://%s/clickstream/dt=%s/%n", local.context().names().sourceBucket(), date);
      out.printf(Locale.ROOT, "  source   users: %,d rows and %,d deliberately broken (no signup time) in PostgreSQL table %s%n",
          users.valid().size(), users.broken().size(), DemoDatabase.TABLE);
      out.printf(Locale.ROOT, "           %s as %s, password in %s%n", sources.database().jdbcUrl(),
          DemoDatabase.READER_ROLE, root.relativize(sources.usersDbSecret()));
      out.printf(Locale.ROOT, "  source   products: %,d products and %,d deliberately broken records behind a REST API%n",
          catalog.products().size(), catalog.brokenReasons().size());
      out.printf(Locale.ROOT, "           %s%s (cursor pages, bearer token in %s)%n", sources.api().baseUrl(),
          CatalogApi.PATH, root.relativize(sources.apiTokenSecret()));
      // The demo always recomputes (force), so running it twice shows the same digest twice.
      ObjectNode input = Json.mapper().createObjectNode().put("date", date.toString()).put("force", true);
      report(local, local.run(LocalPipeline.DAILY, executionName(date), input), date, out);
    }
  }

  /** The demo config's {@code file:} secret references are relative paths, resolved against the working directory. */
  static void requireWorkingDirectory(Path root) {
    Path cwd = Path.of("").toAbsolutePath().normalize();
    if (!cwd.equals(root)) {
      throw new IllegalStateException("the demo resolves " + DEMO_CONFIG + "'s file: secret references from the "
          + "repository root " + root + ", but runs in " + cwd + "; start it with ./featurepipe demo (which runs "
          + "there)");
    }
  }

  static void runDaily(Args args, PrintStream out) {
    if (!args.options().containsKey("date")) {
      throw new Args.UsageError("run: --date YYYY-MM-DD is required");
    }
    LocalDate date = args.date("run", "date", null);
    Path root = RepoRoot.locate();
    try (LocalPipeline local = LocalPipeline.start(root, StackOptions.defaults(root))) {
      ObjectNode input = Json.mapper().createObjectNode().put("date", date.toString());
      if (args.flag("force")) {
        input.put("force", true);
      }
      ObjectNode fanout = input.putObject("fanout");
      if (args.options().containsKey("shards")) fanout.put("shards", args.intValue("run", "shards", 4));
      if (args.options().containsKey("chunks-per-extract")) {
        fanout.put("chunksPerExtract", args.intValue("run", "chunks-per-extract", 1));
      }
      report(local, local.run(LocalPipeline.DAILY, executionName(date), input), date, out);
    }
  }

  static Path logFile() {
    return RepoRoot.locate().resolve(".featurepipe").resolve("logs").resolve("functions.jsonl");
  }

  static String executionName(LocalDate date) {
    // Execution names only label history files; they never reach output data.
    return "daily-" + date + "-" + System.currentTimeMillis();
  }

  /** A Lambda error's message: the cause is the runtime's JSON ({@code errorMessage}, type, stack), or plain text. */
  static String errorMessage(String cause) {
    try {
      JsonNode n = dev.featurepipe.ops.Json.mapper().readTree(cause);
      if (n != null && n.path("errorMessage").isTextual()) {
        return n.get("errorMessage").asText();
      }
    } catch (java.io.IOException e) {
      // not JSON: shown as it is
    }
    return cause;
  }

  static void report(LocalPipeline local, ExecutionResult result, LocalDate date, PrintStream out) {
    JsonNode s = result.output();
    out.println();
    if (!result.status().equals("SUCCEEDED")) {
      String error = result.error().orElse("?");
      String message = errorMessage(result.cause().orElse(""));
      out.printf(Locale.ROOT, "Run FAILED: %s%n  %s%n", error, message.replace("\n", "\n  "));
      if (message.contains("published version")) {
        out.println("  If the local lake holds tables of an earlier definition (an older FeaturePipe, or another"
            + " config), start it over: stop the stack and remove .featurepipe/ (rm -rf .featurepipe).");
      }
      failedItems(local, date).forEach(line -> out.println("  " + line));
      out.printf(Locale.ROOT, "  The previous Silver snapshot and DynamoDB items are unchanged. History: s3://%s/runs/executions/%s/%n",
          local.context().names().lakeBucket(), LocalPipeline.DAILY);
      throw new IllegalStateException("the daily run failed: " + result.error().orElse("?"));
    }
    if (s.path("skip").asBoolean(false)) {
      out.printf(Locale.ROOT, "Run %s: unchanged since its last successful run (input fingerprint %s); nothing recomputed.%n"
          + "  Pass --force to recompute anyway.%n", RunReport.text(s, "runId"), RunReport.text(s, "inputFingerprint"));
      return;
    }
    String table = local.context().names().featureTable();
    long items = countItems(local, table);
    out.printf(Locale.ROOT, "Run %s: %s in %s%n", RunReport.text(s, "runId"), RunReport.text(s, "status"),
        RunReport.ms(RunReport.total(result)));
    if (s.path("unavailableSources").size() > 0) {
      out.printf(Locale.ROOT, "  PARTIAL   sources down: %s; stale groups (still served as before): %s%n",
          s.get("unavailableSources"), s.get("staleGroups"));
    }
    out.printf(Locale.ROOT, "  rows      bronze %,d (quarantined %,d) -> silver %,d -> DynamoDB %,d items%n",
        RunReport.number(s, "bronzeRows"), RunReport.number(s, "quarantinedRows"), RunReport.number(s, "silverRows"),
        RunReport.number(s, "onlineItems"));
    bronzeLines(local, date).forEach(line -> out.println("  " + line));
    out.printf(Locale.ROOT, "  files     %d data files written, %s (Bronze and Silver Parquet)%n",
        RunReport.number(s, "outputFiles"), RunReport.mb(RunReport.number(s, "outputBytes")));
    s.path("snapshotIds").fields().forEachRemaining(e -> out.printf(Locale.ROOT,
        "  silver    %s.%s snapshot %s%n", local.context().catalogDatabase(), e.getKey(), e.getValue().asText()));
    out.printf(Locale.ROOT, "  dynamodb  %s holds %,d items (features + meta)%n", table, items);
    StringBuilder stages = new StringBuilder();
    for (Map.Entry<String, Duration> e : RunReport.stageDurations(result, DAILY_STAGES).entrySet()) {
      stages.append(stages.isEmpty() ? "" : " | ").append(e.getKey()).append(' ').append(RunReport.ms(e.getValue()));
    }
    out.printf(Locale.ROOT, "  stages    %s%n", stages);
    out.printf(Locale.ROOT, "  sha256    %s (all output data files)%n", RunReport.text(s, "combinedSha256"));
    out.printf(Locale.ROOT, "  record    s3://%s/%s%n", local.context().names().lakeBucket(), RunReport.text(s, "runRecordKey"));
    out.printf(Locale.ROOT, "  logs      %s (the functions' JSON logs and EMF metrics)%n", logFile());
    out.println();
    out.println("Look inside: ./featurepipe stack serves this state; then, with AWS_ACCESS_KEY_ID=featurepipe");
    out.println("AWS_SECRET_ACCESS_KEY=featurepipe-local AWS_REGION=us-east-1:");
    out.printf(Locale.ROOT, "  aws --endpoint-url http://127.0.0.1:%d s3 ls s3://%s/ --recursive%n",
        StackOptions.DEFAULT_S3_PORT, local.context().names().lakeBucket());
    out.printf(Locale.ROOT, "  aws --endpoint-url http://127.0.0.1:%d dynamodb get-item --table-name %s \\%n"
        + "      --key '{\"pk\":{\"S\":\"p:feat:prod-00001\"},\"sk\":{\"S\":\"product_stats_v1\"}}'%n",
        StackOptions.DEFAULT_DYNAMODB_PORT, table);
    out.println("  ./featurepipe get p:feat:prod-00001");
  }

  /**
   * One line per configured source, in config order, from its Bronze partition manifest: what a
   * reader of the partition gets, not what the run's steps reported.
   */
  static List<String> bronzeLines(LocalPipeline local, LocalDate date) {
    LakeStore lake = new LakeStore(local.clients().s3(), local.context().names().lakeBucket());
    List<String> lines = new java.util.ArrayList<>();
    int width = local.context().config().config().sources().stream().mapToInt(src -> src.id().length()).max().orElse(0);
    for (SourceConfig source : local.context().config().config().sources()) {
      String label = lines.isEmpty() ? "bronze    " : "          ";
      String id = String.format(Locale.ROOT, "%-" + width + "s", source.id());
      lines.add(lake.find(LakeLayout.bronzeManifest(source.id(), date))
          .map(bytes -> Json.read(bytes, PartitionManifest.class))
          .map(m -> String.format(Locale.ROOT, "%s%s %,9d rows in %d file%s, %,d quarantined%s", label, id, m.rows(),
              m.files().size(), m.files().size() == 1 ? "" : "s", m.quarantined(), reasons(m.rejectReasons())))
          .orElse(label + id + " no Bronze partition for " + date));
    }
    return lines;
  }

  /** " (reason count, ...)" in reason order, or nothing when no row was rejected. */
  static String reasons(java.util.SortedMap<String, Long> byReason) {
    StringBuilder out = new StringBuilder();
    byReason.forEach((reason, count) -> out.append(out.isEmpty() ? " (" : ", ").append(reason).append(' ').append(count));
    return out.isEmpty() ? "" : out.append(')').toString();
  }

  /** Each failed Map item's own error, from the run record RecordRunFailure wrote. */
  static List<String> failedItems(LocalPipeline local, LocalDate date) {
    return new dev.featurepipe.lake.LakeStore(local.clients().s3(), local.context().names().lakeBucket())
        .find(dev.featurepipe.lake.LakeLayout.runRecord("daily-" + date))
        .map(bytes -> Json.read(bytes, dev.featurepipe.lineage.RunRecord.class))
        .filter(r -> r.failure() != null)
        .map(r -> r.failure().items().stream().map(i -> i.error() + ": " + i.message()).toList())
        .orElse(List.of());
  }

  static long countItems(LocalPipeline local, String table) {
    long count = 0;
    Map<String, AttributeValue> start = null;
    do {
      final Map<String, AttributeValue> from = start;
      ScanResponse page = local.clients().dynamoDb().scan(b -> b.tableName(table).select(Select.COUNT)
          .exclusiveStartKey(from));
      count += page.count();
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    return count;
  }

  /**
   * {@code get <pk> [--sk SK] [--raw]}: a feature item decoded through {@link FeatureStoreClient} (features
   * in the group's order, typed per its meta, the vector labelled); {@code meta:} keys and {@code --raw}
   * print the stored items as JSON.
   */
  static void get(Args args, PrintStream out) {
    if (args.positional().size() != 1) {
      throw new Args.UsageError("get: expected one partition key, e.g. get p:feat:prod-00001");
    }
    String pk = args.positional().get(0);
    Path root = RepoRoot.locate();
    StackOptions options = StackOptions.defaults(root).withPorts(0, 0);
    try (LocalPipeline local = LocalPipeline.start(root, options)) {
      String table = local.context().names().featureTable();
      if (args.flag("raw") || pk.startsWith("meta:")) {
        printRaw(local, table, pk, args, out);
        return;
      }
      FeatureStoreClient client = new FeatureStoreClient(local.clients().dynamoDb(), table);
      List<EntityFeatures> found = args.options().containsKey("sk")
          ? client.getByKey(pk, args.get("sk", "")).stream().toList()
          : client.getAll(pk);
      if (found.isEmpty()) {
        throw new IllegalStateException("no items with pk " + pk + " in " + table + "; run ./featurepipe demo first");
      }
      for (EntityFeatures f : found) {
        FeatureText.print(f, client.meta(f.group()), out);
      }
    }
  }

  private static void printRaw(LocalPipeline local, String table, String pk, Args args, PrintStream out) {
    QueryResponse r = local.clients().dynamoDb().query(b -> {
      b.tableName(table);
      if (args.options().containsKey("sk")) {
        b.keyConditionExpression("pk = :pk AND sk = :sk")
            .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk), ":sk", AttributeValue.fromS(args.get("sk", ""))));
      } else {
        b.keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)));
      }
    });
    if (r.items().isEmpty()) {
      throw new IllegalStateException("no items with pk " + pk + " in " + table + "; run ./featurepipe demo first");
    }
    for (Map<String, AttributeValue> item : r.items()) {
      try {
        // Plain numbers: DynamoDB (and dynalite) may hand back 1803340800 as 1.8033408E+9.
        out.println(Json.mapper().writerWithDefaultPrettyPrinter()
            .with(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .writeValueAsString(ItemJson.toPlain(item)));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("[BUG] cannot print an item", e);
      }
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
