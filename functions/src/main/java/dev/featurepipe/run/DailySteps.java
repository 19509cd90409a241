package dev.featurepipe.run;

import dev.featurepipe.catalog.CommitResult;
import dev.featurepipe.catalog.SilverCommitter;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.aws.SecretRouter;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.extract.BronzeChunkWriter;
import dev.featurepipe.extract.CheckpointStore;
import dev.featurepipe.extract.ConnectorContext;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.extract.SourceConnectors;
import dev.featurepipe.extract.ChunkResult;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.lake.BronzeSealer;
import dev.featurepipe.quality.BronzeQualityGate;
import dev.featurepipe.quality.SourceRules;
import dev.featurepipe.schema.RunSchemas;
import dev.featurepipe.schema.SchemaFingerprint;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.lineage.FailureRecorder;
import dev.featurepipe.lineage.RunPublisher;
import dev.featurepipe.lineage.RunSummary;
import dev.featurepipe.online.FeatureLoader;
import dev.featurepipe.online.LoadOptions;
import dev.featurepipe.online.LoadResult;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import dev.featurepipe.ops.Log;
import dev.featurepipe.run.StepRequests.BuildRequest;
import dev.featurepipe.run.StepRequests.BuildSummary;
import dev.featurepipe.run.StepRequests.CommitRequest;
import dev.featurepipe.run.StepRequests.CommitSummary;
import dev.featurepipe.run.StepRequests.ExtractBatch;
import dev.featurepipe.run.StepRequests.ExtractSummary;
import dev.featurepipe.run.StepRequests.FailureSummary;
import dev.featurepipe.run.StepRequests.LoadRequest;
import dev.featurepipe.run.StepRequests.LoadSummary;
import dev.featurepipe.run.StepRequests.SealSummary;
import dev.featurepipe.run.StepRequests.ShuffleBatch;
import dev.featurepipe.run.StepRequests.ShuffleSummary;
import dev.featurepipe.transform.BronzeShuffler;
import dev.featurepipe.errors.QualityGateFailed;
import dev.featurepipe.quality.FeatureQualityGate;
import dev.featurepipe.transform.FeatureShardBuilder;
import dev.featurepipe.transform.StoredTiles;
import java.util.SortedMap;
import org.apache.iceberg.Schema;
import dev.featurepipe.transform.ShardResult;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The daily workflow's steps as plain methods, one per Task state of {@code daily.asl.json}. The
 * Lambda handlers each call one of these; tests call them directly.
 */
public final class DailySteps {

  private final PipelineContext ctx;
  private final LakeStore lake;

  public DailySteps(PipelineContext ctx) {
    this.ctx = ctx;
    this.lake = new LakeStore(ctx.s3(), ctx.names().lakeBucket());
  }

  public Plan plan(PlanRequest request) {
    // A config that edits a published group version fails here, before anything is extracted.
    SilverCommitter silver = silver();
    ctx.config().config().featureGroups().forEach(silver::checkPublishedDefinition);
    // The earlier days' tiles the windows merge are inputs too: after a backfill changed one, an
    // unforced rerun of a later date recomputes instead of being skipped as unchanged.
    LocalDate date = DailyPlanner.runDate(request);
    StringBuilder priorTiles = new StringBuilder();
    for (FeatureGroupConfig g : ctx.config().config().featureGroups()) {
      silver.priorTiles(g, date, 0, 1).forEach(t ->
          priorTiles.append("tiles ").append(g.versionedName()).append(' ').append(t.key()).append('\n'));
    }
    Plan plan = new DailyPlanner(ctx).plan(request, priorTiles.toString());
    if (plan.skip() && derivedStale(LocalDate.parse(plan.date()))) {
      // The date's own inputs did not change, but a partition derived across days (a CDC source's
      // end-of-day state) was built on an earlier day that has changed since: recompute the date.
      Log.info("PlanDailyRun", "derived_stale", Log.RUN_ID, plan.runId(), "date", plan.date());
      plan = new DailyPlanner(ctx).plan(new PlanRequest(request.date(), request.scheduledTime(), request.runId(),
          true, request.fanout(), request.planAttempt()), priorTiles.toString());
    }
    Log.info("PlanDailyRun", plan.skip() ? "unchanged_skipped" : "planned", Log.RUN_ID, plan.runId(), "date",
        plan.date(), "chunks", plan.chunks(), "groups", plan.groups(), "input_fingerprint",
        plan.inputFingerprint());
    return plan;
  }

  private boolean derivedStale(LocalDate dt) {
    ConnectorContext connectors = connectorContext(ctx);
    return ctx.config().config().sources().stream()
        .anyMatch(source -> SourceConnectors.create(source, connectors).derivedStale(dt));
  }

  public ExtractSummary extract(ExtractBatch batch) {
    if (batch.batchInput() == null || batch.items() == null) {
      throw new InvalidInput("Extract expects {\"Items\": [...], \"BatchInput\": {runId, date, lakeBucket}}");
    }
    String runId = LakeLayout.runId(batch.batchInput().runId());
    LocalDate dt = LakeLayout.parseDate("BatchInput.date", batch.batchInput().date());
    checkBucket(batch.batchInput().lakeBucket());
    BronzeChunkWriter writer = new BronzeChunkWriter(lake);
    ConnectorContext connectors = connectorContext(ctx);
    long rows = 0;
    long quarantined = 0;
    long bytes = 0;
    int reused = 0;
    RunSchemas schemas = runSchemas(runId);
    java.util.Map<String, SourceConfig> sources = new java.util.HashMap<>(); // bound once per source, not per chunk
    for (ExtractItem item : batch.items()) {
      long start = System.nanoTime();
      SourceConfig source = sources.computeIfAbsent(item.sourceId(), id -> schemas.source(ctx.config().config()
          .source(id).orElseThrow(() -> new InvalidInput("source " + id + " is not in config/pipeline.yaml"))));
      // A chunk read with a later schema version than its config's is another chunk: never reused for it.
      String fingerprint = BronzeChunkWriter.fingerprint(item, ctx.config().sha256()
          + (Objects.equals(source.schema(), configuredSchema(item.sourceId())) ? "" : " " + source.schema()),
          ctx.codeVersion());
      Optional<ChunkResult> earlier = Boolean.TRUE.equals(batch.batchInput().force()) ? Optional.empty()
          : writer.reusable(item, runId, fingerprint);
      ChunkResult r = earlier.orElseGet(() -> {
        SourceConnector connector = SourceConnectors.create(source, connectors);
        return writer.write(connector, item, runId, dt, fingerprint, SourceRules.of(source, connector.bronzeSchema()));
      });
      reused += earlier.isPresent() ? 1 : 0;
      rows += r.bronze().rows();
      quarantined += r.quarantined();
      bytes += r.sourceBytes();
      Log.info("Extract", "chunk_extracted", Log.RUN_ID, runId, "chunk", r.chunkId(), "rows", r.bronze().rows(),
          "quarantined", r.quarantined(), "bronze_key", r.bronze().key(), "reused", earlier.isPresent(),
          "duration_ms", (System.nanoTime() - start) / 1_000_000);
    }
    return new ExtractSummary(batch.items().size(), rows, quarantined, bytes, reused);
  }

  /**
   * What connectors get: the S3 client, checkpoints in the control table, and secret references
   * resolved by scheme ({@code env:}/{@code file:} from this process, {@code secretsmanager:}/{@code
   * ssm:} from AWS) through the process's one resolver, whose cache outlives the request.
   */
  static ConnectorContext connectorContext(PipelineContext ctx) {
    return new ConnectorContext(ctx.s3(), ctx.names().sourceBucket(), ctx.names().lakeBucket(),
        new CheckpointStore(ctx.dynamoDb(), ctx.names().controlTable()), SecretRouter.forProcess());
  }

  public SealSummary sealBronze(RunState state) {
    requirePlan(state);
    LocalDate dt = LakeLayout.parseDate("date", state.date());
    List<ExtractItem> items = Arrays.asList(lake.getJson(state.extractItems().key(), ExtractItem[].class));
    BronzeSealer sealer = new BronzeSealer(lake);
    TreeMap<String, String> manifests = new TreeMap<>();
    long rows = 0;
    long quarantined = 0;
    int files = 0;
    ConnectorContext connectors = connectorContext(ctx);
    java.util.Set<String> down = new java.util.HashSet<>();
    if (state.unavailableSources() != null) {
      state.unavailableSources().forEach(u -> down.add(u.sourceId()));
    }
    // Every source's partition is checked before any manifest is switched: a failed rule stops the
    // run with QualityGateFailed (not retried) and every partition keeps its last good manifest.
    BronzeQualityGate gate = new BronzeQualityGate(lake, state.runId(), dt);
    List<SourceConnector> sealing = new java.util.ArrayList<>();
    List<BronzeSealer.Prepared> prepared = new java.util.ArrayList<>();
    RunSchemas schemas = runSchemas(state.runId());
    for (SourceConfig configured : ctx.config().config().sources()) {
      SourceConfig source = schemas.source(configured);
      if (down.contains(source.id())) {
        // Not planned this run: sealing it would write an empty manifest and delete its
        // partition's files as orphans. Whatever an earlier run sealed stays as it was.
        continue;
      }
      SourceConnector connector = SourceConnectors.create(source, connectors);
      Schema schema = connector.bronzeSchema();
      BronzeSealer.Prepared p = sealer.prepare(state.runId(), dt, source.id(), schemaName(source),
          SchemaFingerprint.of(schema), items);
      gate.check(SourceRules.of(source, schema), p.chunks().stream().map(ChunkResult::quality).toList(),
          p.manifest().rows());
      sealing.add(connector);
      prepared.add(p);
    }
    var report = gate.publish();
    Log.info("SealBronze", "quality_checked", Log.RUN_ID, state.runId(), "outcome", report.outcome(), "rules",
        report.rules(), "rules_passed", report.rulesPassed(), "report", LakeLayout.bronzeQualityReport(state.runId()));
    for (int i = 0; i < sealing.size(); i++) {
      SourceConnector connector = sealing.get(i);
      String sourceId = prepared.get(i).manifest().sourceId();
      BronzeSealer.Sealed sealed = sealer.commit(prepared.get(i));
      connector.sealed(items.stream().filter(it -> it.sourceId().equals(sourceId)).toList());
      List<String> derived = connector.deriveFromSealed(state.runId(), dt, sealed.manifestKey());
      manifests.put(sourceId, sealed.manifestKey());
      rows += sealed.rows();
      quarantined += sealed.quarantined();
      files += sealed.files();
      Log.info("SealBronze", "sealed", Log.RUN_ID, state.runId(), "source", sourceId, "manifest",
          sealed.manifestKey(), "rows", sealed.rows(), "quarantined", sealed.quarantined(), "orphans_deleted",
          sealed.deleted().size(), "derived", derived);
    }
    List<String> references = gate.accept();
    if (!references.isEmpty()) {
      Log.info("SealBronze", "quality_references_stored", Log.RUN_ID, state.runId(), "keys", references);
    }
    FeatureStagePlan features = planFeatureStage(state, dt, manifests);
    return new SealSummary(manifests, rows, quarantined, files, features.shuffleItems(), features.shuffleCount(),
        features.transformItems(), features.commitItems());
  }

  private record FeatureStagePlan(S3Ref shuffleItems, int shuffleCount, List<TransformItem> transformItems,
      List<StepRequests.CommitItem> commitItems) {}

  /**
   * Sizes the Transform stage from the sealed partitions: each group's shard count from its
   * source's Bronze rows (Fanout.shardsFor), one shuffle item per Bronze file of that source when
   * it has more than one shard, one transform item per shard. The shuffle items go to S3 (a day can
   * have thousands of files).
   */
  private FeatureStagePlan planFeatureStage(RunState state, LocalDate dt, SortedMap<String, String> manifests) {
    List<StepRequests.ShuffleItem> shuffle = new java.util.ArrayList<>();
    List<TransformItem> transform = new java.util.ArrayList<>();
    List<StepRequests.CommitItem> commit = new java.util.ArrayList<>();
    for (String name : state.groups() == null ? List.<String>of() : state.groups()) {
      FeatureGroupConfig group = group(name);
      PartitionManifest bronze = lake.getJson(manifestOf(manifests, group, group.source()), PartitionManifest.class);
      int shards = state.fanout().shardsFor(bronze.rows(), group.buckets());
      long perShard = (bronze.rows() + shards - 1) / shards;
      if (state.fanout().shards() == null && perShard > state.fanout().rowsPerShard()) {
        // Capped by the group's buckets: the shards run, but each holds more than rows_per_shard.
        Log.info("SealBronze", "shards_capped_by_buckets", Log.RUN_ID, state.runId(), "group", name,
            "source_rows", bronze.rows(), "buckets", group.buckets(), "rows_per_shard", perShard,
            "fix", "give the group more buckets (a new version, as buckets shape its Silver layout)");
      }
      if (shards > 1) {
        // One shard reads the Bronze files themselves: a shuffle would only copy them.
        bronze.files().forEach(f -> shuffle.add(new StepRequests.ShuffleItem(name, group.source(), f, shards)));
      }
      for (int shard = 0; shard < shards; shard++) {
        transform.add(new TransformItem(name, shard, shards));
      }
      commit.add(new StepRequests.CommitItem(name, shards));
      Log.info("SealBronze", "feature_stage_planned", Log.RUN_ID, state.runId(), "group", name, "source_rows",
          bronze.rows(), "bronze_files", bronze.files().size(), "shards", shards);
    }
    String key = LakeLayout.shuffleItems(state.runId());
    lake.putJson(key, shuffle);
    return new FeatureStagePlan(new S3Ref(lake.bucket(), key), shuffle.size(), transform, commit);
  }

  /**
   * The map side of the Transform: routes each Bronze file of the batch to its group's shards
   * ({@link BronzeShuffler}); a file whose shuffle file is already there is skipped unless forced.
   */
  public ShuffleSummary shuffle(ShuffleBatch batch) {
    if (batch.batchInput() == null || batch.items() == null) {
      throw new InvalidInput("ShuffleBronze expects {\"Items\": [...], \"BatchInput\": {runId, date, lakeBucket}}");
    }
    String runId = LakeLayout.runId(batch.batchInput().runId());
    LocalDate dt = LakeLayout.parseDate("BatchInput.date", batch.batchInput().date());
    checkBucket(batch.batchInput().lakeBucket());
    BronzeShuffler shuffler = new BronzeShuffler(lake);
    long rows = 0;
    int reused = 0;
    for (StepRequests.ShuffleItem item : batch.items()) {
      FeatureGroupConfig group = group(item.group());
      if (!group.source().equals(item.sourceId())) {
        throw new InvalidInput("shuffle item of group " + item.group() + " names source " + item.sourceId()
            + " but the group reads " + group.source());
      }
      BronzeShuffler.Shuffled r = shuffler.shuffle(group, bronzeSchema(item.sourceId()), dt, item.file(),
          item.shardCount(), ctx.codeVersion(), Boolean.TRUE.equals(batch.batchInput().force()));
      rows += r.rows();
      reused += r.reused() ? 1 : 0;
      Log.info("ShuffleBronze", "file_shuffled", Log.RUN_ID, runId, "group", item.group(), "bronze_key",
          item.file().key(), "shards", item.shardCount(), "rows", r.rows(), "without_entity", r.withoutEntity(),
          "non_empty_shards", r.nonEmptyShards(), "shuffle_key", r.key(), "reused", r.reused());
    }
    return new ShuffleSummary(batch.items().size(), rows, reused);
  }

  /** The schema a source's Bronze is written with: its registered schema, else its inline columns. */
  static String schemaName(SourceConfig source) {
    return source.schema() != null ? source.schema() : "inline:sources[" + source.id() + "].options";
  }

  public BuildSummary buildFeatures(BuildRequest request) {
    if (request.item() == null) {
      throw new InvalidInput("BuildFeatures expects item {group, shard, shardCount}");
    }
    String runId = LakeLayout.runId(request.runId());
    LocalDate dt = LakeLayout.parseDate("date", request.date());
    checkBucket(request.lakeBucket());
    FeatureGroupConfig group = group(request.item().group());
    int shard = request.item().shard();
    int shardCount = request.item().shardCount();
    GroupInputs inputs = groupInputs(request.bronzeManifests(), group, dt);
    List<StoredTiles> prior = silver().priorTiles(group, dt, shard, shardCount);
    String fingerprint = shardFingerprint(inputs.fingerprint(), prior);
    Optional<ShardResult> earlier = Boolean.TRUE.equals(request.force()) ? Optional.empty()
        : lake.find(LakeLayout.transformResult(runId, group.versionedName(), shard, shardCount))
            .map(b -> Json.read(b, ShardResult.class))
            .filter(r -> fingerprint.equals(r.inputFingerprint()))
            .filter(r -> java.util.stream.Stream.concat(r.tileFiles().stream(), r.featureFiles().stream())
                .allMatch(f -> lake.find(f.file().key()).isPresent()));
    ShardResult r = earlier.orElseGet(() -> {
      TreeMap<String, FeatureShardBuilder.Dimension> dimensions = new TreeMap<>();
      for (String source : group.joinSources()) {
        dimensions.put(source, new FeatureShardBuilder.Dimension(SourceConnectors.dimensionSchema(sourceConfig(source)),
            Json.read(inputs.manifests().get(source), PartitionManifest.class)));
      }
      return new FeatureShardBuilder(lake).build(runId, dt, group, bronzeSchema(group.source()),
          Json.read(inputs.manifests().get(group.source()), PartitionManifest.class), dimensions, prior, shard,
          shardCount, fingerprint, ctx.codeVersion());
    });
    Log.info("BuildFeatures", "shard_built", Log.RUN_ID, runId, "group", r.group(), "shard", r.shard(),
        "input_rows", r.inputRows(), "duplicates", r.duplicates(), "skipped", r.skipped(), "tiles", r.tiles(),
        "prior_tile_files", r.priorTiles().size(), "entities", r.entities(), "reused", earlier.isPresent());
    return new BuildSummary(r.group(), r.shard(), r.entities(), r.tileFiles().size() + r.featureFiles().size(),
        earlier.isPresent());
  }

  public CommitSummary commitFeatures(CommitRequest request) {
    String runId = LakeLayout.runId(request.runId());
    LocalDate dt = LakeLayout.parseDate("date", request.date());
    checkBucket(request.lakeBucket());
    FeatureGroupConfig group = group(request.group());
    GroupInputs inputs = groupInputs(request.bronzeManifests(), group, dt);
    // What the commit holds: every shard's files, so the shards' fingerprints (which cover the
    // stored tiles each merged) decide whether an earlier commit still stands.
    StringBuilder shards = new StringBuilder(inputs.fingerprint()).append('\n');
    List<ShardResult> shardResults = new java.util.ArrayList<>();
    for (int shard = 0; shard < request.shardCount(); shard++) {
      ShardResult result = lake.getJson(LakeLayout.transformResult(runId, group.versionedName(), shard,
          request.shardCount()), ShardResult.class);
      shardResults.add(result);
      shards.append(result.inputFingerprint()).append('\n');
    }
    String fingerprint = Hashing.sha256Hex(shards.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    SilverCommitter committer = silver();
    String resultKey = LakeLayout.commitResult(runId, group.versionedName());
    Optional<CommitResult> earlier = Boolean.TRUE.equals(request.force()) ? Optional.empty()
        : lake.find(resultKey).map(b -> Json.read(b, CommitResult.class))
            .filter(r -> fingerprint.equals(r.inputFingerprint()))
            .filter(r -> committer.stillServes(group, r));
    String sourceManifest = inputs.keys().get(group.source());
    SilverCommitter.Lineage lineage = new SilverCommitter.Lineage(runId, ctx.codeVersion(), ctx.config().sha256(),
        sourceManifest, Hashing.sha256Hex(inputs.manifests().get(group.source())), inputs.dimensionLineage(group),
        fingerprint);
    CommitResult r = earlier.orElseGet(() -> {
      Optional<FeatureQualityGate.Verdict> verdict = audit(runId, dt, group, shardResults, committer, lineage);
      CommitResult committed = committer.commit(runId, dt, group, request.shardCount(), lineage);
      verdict.ifPresent(v -> FeatureQualityGate.accept(lake, group.versionedName(), v));
      return committed;
    });
    Log.info("CommitFeatures", "committed", Log.RUN_ID, runId, "table", r.table(), "snapshot_id", r.snapshotId(),
        "rows", r.rows(), "files", r.files().size(), "tiles_table", r.tilesTable(), "tiles_snapshot_id",
        r.tilesSnapshotId(), "tile_rows", r.tileRows(), "reused", earlier.isPresent());
    return new CommitSummary(r.group(), r.snapshotId(), r.rows(), r.files().size(), resultKey, earlier.isPresent());
  }

  /**
   * Write-audit-publish: the group's feature rules judged on its shards' statistics before anything
   * is published. A fail rule stages the day's feature files on the Iceberg branch {@code
   * audit_<run id>} of the feature table, for diagnosis, and throws {@link QualityGateFailed}: no
   * commit to {@code main}, no DynamoDB write, the served features stay. Empty without rules.
   */
  private Optional<FeatureQualityGate.Verdict> audit(String runId, LocalDate dt, FeatureGroupConfig group,
      List<ShardResult> shards, SilverCommitter committer, SilverCommitter.Lineage lineage) {
    if (group.quality().isEmpty()) {
      return Optional.empty();
    }
    long rows = shards.stream().mapToLong(ShardResult::entities).sum();
    List<dev.featurepipe.quality.ChunkQuality> stats = shards.stream().map(ShardResult::quality).toList();
    FeatureQualityGate.Verdict v = FeatureQualityGate.audit(lake, runId, dt, group, stats, rows,
        committer.featureRows(group, dt.minusDays(dev.featurepipe.quality.BronzeQualityGate.TRAILING_DAYS),
            dt.minusDays(1)));
    Log.info("CommitFeatures", "audited", Log.RUN_ID, runId, "group", group.versionedName(), "outcome",
        v.report().outcome(), "rules", v.report().rules(), "failed", v.failures().size(), "report", v.reportKey());
    if (v.failures().isEmpty()) {
      return Optional.of(v);
    }
    String branch = "audit_" + runId.replaceAll("[^A-Za-z0-9_-]", "_");
    long staged = committer.stageForAudit(runId, dt, group, shards.size(), lineage, branch);
    StringBuilder msg = new StringBuilder("feature audit failed on ").append(v.failures().size())
        .append(" rule(s) of ").append(group.versionedName()).append(" for dt=").append(dt)
        .append(": nothing was published (report: s3://").append(lake.bucket()).append('/').append(v.reportKey())
        .append("; the audited rows are on branch ").append(branch).append(" of ")
        .append(committer.tableId(group)).append(", snapshot ").append(staged).append("): ");
    for (int i = 0; i < v.failures().size(); i++) {
      var f = v.failures().get(i);
      msg.append(i == 0 ? "" : "; ").append(f.label()).append(": observed ").append(f.detail())
          .append(", allowed ").append(f.threshold());
    }
    throw new QualityGateFailed(msg.toString());
  }

  public LoadSummary loadFeatures(LoadRequest request) {
    return loadFeatures(request, Optional.empty());
  }

  /** {@code lambdaRemaining}: the invoking Lambda's remaining time, which bounds the write retries. */
  public LoadSummary loadFeatures(LoadRequest request, Optional<java.time.Duration> lambdaRemaining) {
    if (request.item() == null) {
      throw new InvalidInput("LoadFeatures expects item {group, shard, shardCount}");
    }
    String runId = LakeLayout.runId(request.runId());
    LocalDate dt = LakeLayout.parseDate("date", request.date());
    checkBucket(request.lakeBucket());
    FeatureGroupConfig group = group(request.item().group());
    int shard = request.item().shard();
    int shardCount = request.item().shardCount();
    CommitResult commit = lake.getJson(LakeLayout.commitResult(runId, group.versionedName()), CommitResult.class);
    // Loaded items depend on exactly what was committed: the snapshot and the group's inputs.
    String fingerprint = commit.inputFingerprint() + " " + commit.snapshotId();
    Optional<LoadResult> earlier = Boolean.TRUE.equals(request.force()) ? Optional.empty()
        : lake.find(LakeLayout.loadResult(runId, group.versionedName(), shard, shardCount))
            .flatMap(DailySteps::loadResult)
            .filter(r -> fingerprint.equals(r.inputFingerprint()));
    LoadResult r = earlier.orElseGet(() -> new FeatureLoader(ctx.dynamoDb(), ctx.names().featureTable(), ctx.s3(),
        lake, LoadOptions.DEFAULTS).load(runId, dt, group, shard, shardCount, fingerprint, lambdaRemaining));
    Log.info("LoadFeatures", "shard_loaded", Log.RUN_ID, runId, "group", r.group(), "shard", r.shard(),
        "written", r.written(), "skipped_newer", r.skipped(), "batches", r.batches(), "retried", r.retriedItems(),
        "throttled", r.throttledRequests(), "guarded", r.guarded(), "reused", earlier.isPresent());
    return new LoadSummary(r.group(), r.shard(), r.written(), earlier.isPresent());
  }

  /** A load result written by an older version (other fields) is not reusable: load again. */
  private static Optional<LoadResult> loadResult(byte[] json) {
    try {
      return Optional.of(Json.read(json, LoadResult.class));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The sealed Bronze manifests a group reads (its source's, then its joined sources'), their bytes and fingerprint. */
  private record GroupInputs(SortedMap<String, String> keys, SortedMap<String, byte[]> manifests, String fingerprint) {

    String dimensionLineage(FeatureGroupConfig group) {
      return String.join(";", group.joinSources().stream()
          .map(s -> s + "=" + keys.get(s) + "@" + Hashing.sha256Hex(manifests.get(s))).toList());
    }
  }

  /**
   * What decides a group's tiles for a date: the Bronze manifests of its source and of the sources
   * it joins (each partition of the date itself: the dimension as it was that day), the config and
   * the code.
   */
  private GroupInputs groupInputs(java.util.Map<String, String> bronzeManifests, FeatureGroupConfig group,
      LocalDate dt) {
    TreeMap<String, String> keys = new TreeMap<>();
    TreeMap<String, byte[]> manifests = new TreeMap<>();
    StringBuilder sb = new StringBuilder();
    for (String source : group.inputSources()) {
      // Joined sources are read as SourceConnectors.dimensionPartition says: a CDC source's state.
      String partition = source.equals(group.source()) ? source : SourceConnectors.dimensionPartition(sourceConfig(source));
      String key = partition.equals(source) ? manifestOf(bronzeManifests, group, source)
          : LakeLayout.bronzeManifest(partition, dt);
      byte[] manifest = lake.get(key);
      keys.put(source, key);
      manifests.put(source, manifest);
      sb.append(source).append(' ').append(Hashing.sha256Hex(manifest)).append('\n');
    }
    sb.append(ctx.config().sha256()).append('\n').append(ctx.codeVersion());
    return new GroupInputs(keys, manifests,
        Hashing.sha256Hex(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** A shard's inputs: the group's, and the stored tile files it merges (content-addressed keys). */
  private static String shardFingerprint(String groupFingerprint, List<StoredTiles> prior) {
    StringBuilder sb = new StringBuilder(groupFingerprint).append('\n');
    prior.forEach(t -> sb.append(t.key()).append('\n'));
    return Hashing.sha256Hex(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The schema versions the run was planned with (none recorded: every source's config version). */
  private RunSchemas runSchemas(String runId) {
    return lake.find(LakeLayout.sourceSchemas(runId)).map(b -> Json.read(b, RunSchemas.class)).orElse(RunSchemas.none());
  }

  private String configuredSchema(String sourceId) {
    return sourceConfig(sourceId).schema();
  }

  private SilverCommitter silver() {
    return new SilverCommitter(ctx.catalog().get(), ctx.catalogDatabase(), ctx.names().lakeBucket(), lake);
  }

  private Schema bronzeSchema(String sourceId) {
    return SourceConnectors.bronzeSchema(sourceConfig(sourceId));
  }

  private SourceConfig sourceConfig(String sourceId) {
    return ctx.config().config().source(sourceId)
        .orElseThrow(() -> new InvalidInput("source " + sourceId + " is not in config/pipeline.yaml"));
  }

  public RunSummary publish(RunState state) {
    requirePlan(state);
    RunSummary summary = new RunPublisher(ctx).publish(state);
    Log.info("PublishRun", "published", Log.RUN_ID, summary.runId(), "combined_sha256", summary.combinedSha256(),
        "online_items", summary.onlineItems());
    return summary;
  }

  public FailureSummary recordFailure(RunState state) {
    var key = new FailureRecorder(ctx).record(state);
    String error = state.error() == null ? null : Json.string(state.error().get("Error"));
    Log.info("RecordRunFailure", "run_failed", Log.RUN_ID, state.runId(), "error", error);
    return new FailureSummary(state.runId(), "FAILED", key.orElse(null));
  }

  /** The Bronze manifest of a source a group reads. */
  private static String manifestOf(java.util.Map<String, String> manifests, FeatureGroupConfig group, String source) {
    String key = manifests == null ? null : manifests.get(source);
    if (key == null) {
      throw new InvalidInput("no sealed Bronze manifest for source " + source + " of group "
          + group.versionedName() + "; got manifests for " + (manifests == null ? "none" : manifests.keySet()));
    }
    return key;
  }

  private FeatureGroupConfig group(String versionedName) {
    return ctx.config().config().group(versionedName)
        .orElseThrow(() -> new InvalidInput("group " + versionedName + " is not in config/pipeline.yaml"));
  }

  private void checkBucket(String lakeBucket) {
    if (lakeBucket != null && !lakeBucket.equals(ctx.names().lakeBucket())) {
      throw new InvalidInput("lakeBucket " + lakeBucket + " is not this deployment's lake bucket "
          + ctx.names().lakeBucket());
    }
  }

  private static void requirePlan(RunState state) {
    if (state.runId() == null || state.date() == null || state.extractItems() == null || state.groups() == null) {
      throw new InvalidInput("expected the workflow state from PlanDailyRun (runId, date, extractItems, groups)");
    }
    LakeLayout.runId(state.runId());
  }
}
