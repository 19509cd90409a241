package dev.featurepipe.run;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.extract.SourceConnectors;
import dev.featurepipe.ops.Log;
import dev.featurepipe.schema.ObservedSchema;
import dev.featurepipe.schema.RunSchemas;
import dev.featurepipe.schema.SchemaRegistry;
import dev.featurepipe.schema.SchemaResolver;
import dev.featurepipe.schema.SourceSchema;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lineage.RunRecord;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans one daily run: fixes the run id and fan-out, lists each source's objects for the date into
 * an Extract item manifest in S3 (sorted by key), and lists the groups to compute. Their shards are
 * planned at SealBronze, when the sealed partitions' sizes are known.
 */
public final class DailyPlanner {

  private final PipelineContext ctx;

  public DailyPlanner(PipelineContext ctx) {
    this.ctx = ctx;
  }

  /**
   * {@code derivedInputs}: further lines the input fingerprint covers, inputs that are not source
   * objects (the stored tiles of earlier days that the windows merge).
   */
  public Plan plan(PlanRequest request, String derivedInputs) {
    LocalDate date = runDate(request);
    String runId = LakeLayout.runId(request.runId() != null ? request.runId() : "daily-" + date);
    Fanout fanout = Fanout.of(ctx.config().config().fanout()).overriddenBy(request.fanout());

    List<ExtractItem> items = new ArrayList<>();
    List<Plan.UnavailableSource> down = new ArrayList<>();
    java.util.TreeMap<String, RunSchemas.Entry> schemas = new java.util.TreeMap<>();
    for (SourceConfig source : ctx.config().config().sources()) {
      try {
        SourceConnector connector = SourceConnectors.create(source, DailySteps.connectorContext(ctx));
        List<ExtractItem> planned = connector.plan(date);
        // Before anything is extracted: a source whose columns changed incompatibly fails the run
        // here (SchemaIncompatible, with the diff), and a new nullable column registers a version.
        resolveSchema(source, connector, planned, runId, date).ifPresent(e -> schemas.put(source.id(), e));
        items.addAll(planned);
      } catch (SourceUnavailable e) {
        down.add(new Plan.UnavailableSource(source.id(), e.getMessage()));
      }
    }
    RunSchemas runSchemas = new RunSchemas(schemas);
    java.util.Map<String, String> configured = new java.util.TreeMap<>();
    ctx.config().config().sources().forEach(s -> configured.put(s.id(), String.valueOf(s.schema())));
    derivedInputs = derivedInputs + runSchemas.fingerprintLines(configured);
    boolean lastAttempt = request.attempt() >= MAX_PLAN_ATTEMPTS - 1;
    if (!down.isEmpty() && down.size() == ctx.config().config().sources().size() && lastAttempt) {
      throw new SourceUnavailable("no source could be reached after " + MAX_PLAN_ATTEMPTS + " attempts: "
          + String.join("; ", down.stream().map(Plan.UnavailableSource::message).toList()));
    }
    LakeStore lake = new LakeStore(ctx.s3(), ctx.names().lakeBucket());
    String fingerprint = inputFingerprint(items, derivedInputs);
    boolean retry = !down.isEmpty() && !lastAttempt;
    boolean skip = !retry && down.isEmpty() && !request.forced() && lastSuccessHad(lake, runId, fingerprint);
    String itemsKey = LakeLayout.extractItems(runId);
    if (!skip && !retry) {
      lake.putJson(LakeLayout.sourceSchemas(runId), runSchemas);
      lake.putJson(itemsKey, items);
    }

    List<String> downIds = down.stream().map(Plan.UnavailableSource::sourceId).toList();
    List<String> groups = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    for (FeatureGroupConfig g : ctx.config().config().featureGroups()) {
      // A group needs its own source and every source it joins: without today's dimension partition
      // its tiles would join nothing, so it keeps serving yesterday's values instead.
      if (g.inputSources().stream().anyMatch(downIds::contains)) {
        stale.add(g.versionedName());
        continue;
      }
      groups.add(g.versionedName());
    }
    return new Plan(runId, date.toString(), ctx.names().lakeBucket(), new S3Ref(lake.bucket(), itemsKey),
        items.size(), fanout, groups, ctx.config().sha256(), ctx.codeVersion(), fingerprint, skip,
        request.forced(), request.attempt(), retry, retryWaitSeconds(request.attempt()), down, stale);
  }

  /**
   * The registered version {@code source} is read with this run, for a source that names a schema
   * and whose connector can see its columns before reading (JDBC, CSV with a header, Parquet).
   */
  private java.util.Optional<RunSchemas.Entry> resolveSchema(SourceConfig source, SourceConnector connector,
      List<ExtractItem> planned, String runId, LocalDate date) {
    SourceSchema baseline = ctx.config().config().schemas().get(source.id());
    if (baseline == null) {
      return java.util.Optional.empty();
    }
    java.util.Optional<ObservedSchema> observed = connector.observeSchema(planned);
    if (observed.isEmpty()) {
      return java.util.Optional.empty();
    }
    SchemaResolver.Resolved r = new SchemaResolver(new SchemaRegistry(ctx.dynamoDb(), ctx.names().controlTable()))
        .resolve(source.id(), baseline, observed.get(), runId, date);
    if (r.registeredNow()) {
      Log.info("PlanDailyRun", "schema_registered", Log.RUN_ID, runId, "source", source.id(), "schema",
          r.schema().ref(), "change", r.change());
    }
    r.notes().forEach(n -> Log.info("PlanDailyRun", "schema_note", Log.RUN_ID, runId, "source", source.id(),
        "note", n));
    return java.util.Optional.of(new RunSchemas.Entry(r.schema().ref(), r.baselineFields(), r.schema().definition()));
  }

  /**
   * Plans per run: the first and up to three re-plans after waiting 30 s, 60 s and 120 s for a
   * source that is down (the Step Functions Wait state costs nothing while it waits).
   */
  static final int MAX_PLAN_ATTEMPTS = 4;

  static int retryWaitSeconds(int attempt) {
    return (int) Math.min(300, 30L << Math.min(attempt, 10));
  }

  /**
   * SHA-256 over what determines a run's output: every planned source object (key, ETag, size),
   * the derived inputs (earlier days' tile files), the config's hash and the code version. Fan-out is left out on purpose: it never changes output.
   */
  String inputFingerprint(List<ExtractItem> items, String derivedInputs) {
    StringBuilder sb = new StringBuilder();
    sb.append(derivedInputs);
    sb.append("config ").append(ctx.config().sha256()).append('\n');
    sb.append("code ").append(ctx.codeVersion()).append('\n');
    for (ExtractItem item : items) {
      // The range too: a database or API chunk has no object or ETag, only its key range or window.
      sb.append(item.sourceId()).append(' ').append(item.bucket()).append(' ').append(item.key()).append(' ')
          .append(item.etag()).append(' ').append(item.size()).append(' ')
          .append(item.range() == null ? "-" : Json.string(item.range())).append('\n');
    }
    return Hashing.sha256Hex(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static boolean lastSuccessHad(LakeStore lake, String runId, String fingerprint) {
    return lake.find(LakeLayout.runRecord(runId))
        .map(bytes -> Json.read(bytes, RunRecord.class))
        .filter(r -> "SUCCEEDED".equals(r.status()) && fingerprint.equals(r.inputFingerprint()))
        .isPresent();
  }

  static LocalDate runDate(PlanRequest request) {
    if (request.date() != null) {
      return LakeLayout.parseDate("date", request.date());
    }
    if (request.scheduledTime() != null) {
      try {
        // The schedule fires after midnight UTC and processes the day that just ended.
        return OffsetDateTime.parse(request.scheduledTime())
            .withOffsetSameInstant(ZoneOffset.UTC)
            .toLocalDate()
            .minusDays(1);
      } catch (DateTimeParseException e) {
        throw new InvalidInput("scheduledTime: must be ISO-8601 like 2026-11-25T02:00:00Z, got "
            + request.scheduledTime());
      }
    }
    throw new InvalidInput("date: required (or scheduledTime from the scheduler), e.g. {\"date\":\"2026-11-24\"}");
  }

}
