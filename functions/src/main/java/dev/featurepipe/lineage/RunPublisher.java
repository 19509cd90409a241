package dev.featurepipe.lineage;

import dev.featurepipe.catalog.CommitResult;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.online.LoadResult;
import dev.featurepipe.online.MetaWriter;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import dev.featurepipe.ops.Log;
import dev.featurepipe.ops.Metrics;
import dev.featurepipe.run.Plan;
import dev.featurepipe.run.RunState;
import dev.featurepipe.run.TransformItem;
import dev.featurepipe.transform.BucketFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Ends a successful run: writes each group's {@code meta} item (after all its shards loaded), the
 * run record with every output file's SHA-256, and the run's metrics.
 */
public final class RunPublisher {

  /**
   * A group's {@code quality_status} in meta: the Bronze quality gate's verdict on the sources it
   * reads ({@code PASS}, or {@code WARN} if a warn rule broke; a failed rule stops the run before
   * this step), or {@code UNCHECKED} when none of them has rules. Feature-level rules are not built
   * yet, so this speaks for the inputs only.
   */
  static String qualityStatus(java.util.Optional<dev.featurepipe.quality.QualityReport> report,
      FeatureGroupConfig group) {
    boolean any = false;
    boolean warned = false;
    if (report.isPresent()) {
      for (dev.featurepipe.quality.QualityReport.Source s : report.get().sources()) {
        if (group.inputSources().contains(s.sourceId())) {
          for (dev.featurepipe.quality.RuleOutcome o : s.rules()) {
            any = true;
            warned |= o.outcome().equals(dev.featurepipe.quality.RuleOutcome.WARN);
          }
        }
      }
    }
    return !any ? "UNCHECKED" : warned ? "WARN" : "PASS";
  }

  private final PipelineContext ctx;
  private final java.time.Clock clock;

  public RunPublisher(PipelineContext ctx) {
    this(ctx, java.time.Clock.systemUTC());
  }

  /** {@code clock}: only for the feature_freshness_lag metric. */
  public RunPublisher(PipelineContext ctx, java.time.Clock clock) {
    this.ctx = ctx;
    this.clock = clock;
  }

  public RunSummary publish(RunState state) {
    if (state.runId() == null || state.bronze() == null) {
      throw new InvalidInput("PublishRun needs the workflow state with runId and bronze; got runId="
          + state.runId());
    }
    LakeStore lake = new LakeStore(ctx.s3(), ctx.names().lakeBucket());
    List<RunRecord.Output> outputs = new ArrayList<>();
    List<RunRecord.Extract> sources = new ArrayList<>();
    long bronzeRows = 0;
    long quarantined = 0;
    long sourceBytes = 0;
    int sourceObjects = 0;
    for (var entry : state.bronze().manifests().entrySet()) {
      PartitionManifest bronze = lake.getJson(entry.getValue(), PartitionManifest.class);
      for (FileEntry f : bronze.files()) {
        outputs.add(new RunRecord.Output("bronze", f.key(), f.rows(), f.bytes(), f.sha256()));
      }
      long bytes = bronze.inputs().stream().mapToLong(PartitionManifest.Input::bytes).sum();
      sources.add(new RunRecord.Extract(bronze.sourceId(), entry.getValue(), bronze.inputs().size(), bytes,
          bronze.rows(), bronze.quarantined(), bronze.rejectReasons()));
      bronzeRows += bronze.rows();
      quarantined += bronze.quarantined();
      sourceBytes += bytes;
      sourceObjects += bronze.inputs().size();
    }
    List<RunRecord.Group> groups = new ArrayList<>();
    TreeMap<String, Long> snapshots = new TreeMap<>();
    long silverRows = 0;
    long onlineItems = 0;
    long onlineSkipped = 0;
    long onlineRetried = 0;
    long onlineThrottled = 0;
    List<Loaded> groupLoads = new ArrayList<>();
    MetaWriter meta = new MetaWriter(ctx.dynamoDb(), ctx.names().featureTable());
    for (String groupName : state.groups()) {
      FeatureGroupConfig group = ctx.config().config().group(groupName)
          .orElseThrow(() -> new InvalidInput("group " + groupName + " is not in config/pipeline.yaml"));
      CommitResult commit = lake.getJson(LakeLayout.commitResult(state.runId(), groupName), CommitResult.class);
      long written = 0;
      long skipped = 0;
      long batches = 0;
      long retried = 0;
      long throttled = 0;
      for (TransformItem item : state.transformItems()) {
        if (item.group().equals(groupName)) {
          // Meta is published only once every shard has loaded: a shard without its load result
          // stops the publish before any meta item is written.
          String key = LakeLayout.loadResult(state.runId(), groupName, item.shard(), item.shardCount());
          LoadResult load = lake.find(key).map(b -> Json.read(b, LoadResult.class))
              .orElseThrow(() -> new IllegalStateException("[BUG] " + groupName + " shard " + item.shard() + " of "
                  + item.shardCount() + " has no load result (s3://" + lake.bucket() + "/" + key
                  + "); meta is published only after every shard loaded"));
          written += load.written();
          skipped += load.skipped();
          batches += load.batches();
          retried += load.retriedItems();
          throttled += load.throttledRequests();
        }
      }
      if (written + skipped != commit.rows()) {
        throw new IllegalStateException("[BUG] " + groupName + " committed " + commit.rows()
            + " rows but the loads wrote " + written + " items and skipped " + skipped);
      }
      for (BucketFile f : commit.tileFiles()) {
        outputs.add(new RunRecord.Output("silver_tiles", f.file().key(), f.file().rows(), f.file().bytes(),
            f.file().sha256()));
      }
      for (BucketFile f : commit.files()) {
        outputs.add(new RunRecord.Output("silver", f.file().key(), f.file().rows(), f.file().bytes(), f.file().sha256()));
      }
      groupLoads.add(new Loaded(group, commit));
      groups.add(new RunRecord.Group(groupName, commit.table(), commit.snapshotId(), commit.rows(),
          commit.files().size(), written, batches, retried, throttled, skipped));
      snapshots.put(groupName, commit.snapshotId());
      silverRows += commit.rows();
      onlineItems += written;
      onlineSkipped += skipped;
      onlineRetried += retried;
      onlineThrottled += throttled;
    }
    // Every group's shards checked above before the first meta item is written.
    java.util.Optional<dev.featurepipe.quality.QualityReport> quality = lake.find(
        LakeLayout.bronzeQualityReport(state.runId())).map(b -> Json.read(b, dev.featurepipe.quality.QualityReport.class));
    boolean advanced = false;
    for (Loaded l : groupLoads) {
      boolean published = meta.write(l.group(), state.date(), state.runId(), l.commit().rows(),
          l.commit().snapshotId(), l.commit().table(), qualityStatus(quality, l.group()));
      advanced |= published;
      if (!published) {
        // A backfill of an older date: the served meta describes a newer date and stays.
        Log.info("PublishRun", "meta_kept_newer", Log.RUN_ID, state.runId(), "group",
            l.group().versionedName(), "date", state.date());
      }
    }
    List<Plan.UnavailableSource> down = state.unavailableSources() == null ? List.of() : state.unavailableSources();
    List<String> stale = state.staleGroups() == null ? List.of() : state.staleGroups();
    String status = down.isEmpty() ? "SUCCEEDED" : "PARTIAL";
    String reason = "source(s) " + String.join(", ", down.stream().map(Plan.UnavailableSource::sourceId).toList())
        + " unavailable on " + state.date();
    for (String groupName : stale) {
      // The group's served features stay as they were; their meta says they are stale and why.
      meta.markStale(groupName, state.runId(), state.date(), reason);
    }
    outputs.sort(Comparator.comparing(RunRecord.Output::key));
    String combined = combinedSha256(outputs);
    RunRecord record = new RunRecord(state.runId(), state.date(), status, state.codeVersion(),
        state.configSha256(), state.inputFingerprint(), sources, down, stale, groups, outputs, combined, null);
    String recordKey = LakeLayout.runRecord(state.runId());
    lake.putJson(recordKey, record);

    long outputBytes = outputs.stream().mapToLong(RunRecord.Output::bytes).sum();
    TreeMap<String, Double> metrics = new TreeMap<>(java.util.Map.of(
        "rows_bronze", (double) bronzeRows,
        "rows_quarantined", (double) quarantined,
        "rows_silver", (double) silverRows,
        "items_online", (double) onlineItems,
        "items_online_skipped", (double) onlineSkipped,
        Metrics.THROTTLES, (double) onlineThrottled,
        "bytes_output", (double) outputBytes,
        Metrics.SOURCES_UNAVAILABLE, (double) down.size()));
    if (advanced) {
      // How far the served features trail the data they describe: now minus the end of their as-of
      // day. A metric, never output, so reading the clock here is fine; a backfill (nothing
      // advanced) has no freshness to report.
      metrics.put(Metrics.FEATURE_FRESHNESS_LAG, (double) java.time.Duration.between(
          LakeLayout.parseDate("date", state.date()).plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
          clock.instant()).toSeconds());
    }
    Metrics.emit("RunPublished", state.runId(), metrics);
    return new RunSummary(state.runId(), state.date(), status, sourceObjects, sourceBytes,
        bronzeRows, quarantined, silverRows, onlineItems, onlineSkipped, onlineRetried, onlineThrottled,
        outputs.size(), outputBytes, snapshots,
        combined, recordKey, down.stream().map(Plan.UnavailableSource::sourceId).toList(), stale);
  }

  private record Loaded(FeatureGroupConfig group, CommitResult commit) {}

  /** SHA-256 over "key sha256\n" lines of the outputs in key order. */
  public static String combinedSha256(List<RunRecord.Output> outputs) {
    MessageDigest digest = Hashing.sha256();
    outputs.stream()
        .sorted(Comparator.comparing(RunRecord.Output::key))
        .forEach(o -> digest.update((o.key() + " " + o.sha256() + "\n").getBytes(StandardCharsets.UTF_8)));
    return java.util.HexFormat.of().formatHex(digest.digest());
  }
}
