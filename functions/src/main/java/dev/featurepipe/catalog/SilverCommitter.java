package dev.featurepipe.catalog;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.errors.CommitConflict;
import dev.featurepipe.errors.SchemaIncompatible;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.transform.BucketFile;
import dev.featurepipe.transform.SilverSchemas;
import dev.featurepipe.transform.StoredTiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import dev.featurepipe.transform.ShardResult;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.parquet.ParquetUtil;

/**
 * Makes the Iceberg commits of a feature group for a date, one per table ({@code <group>_v<N>_tiles},
 * then {@code <group>_v<N>}): the shards' files replace the table's {@code dt} partition atomically,
 * in one transaction that also records lineage in the snapshot summary and the table properties
 * (which Glue shows as table parameters). Readers of a table see its old partition or the new one,
 * never a mix. Also lists the stored tiles a BuildFeatures shard merges.
 */
public final class SilverCommitter {

  public static final String RUN_ID = "featurepipe.run-id";
  public static final String CODE_VERSION = "featurepipe.code-version";
  public static final String CONFIG_SHA256 = "featurepipe.config-sha256";
  public static final String INPUT_MANIFEST = "featurepipe.input-manifest";
  public static final String INPUT_MANIFEST_SHA256 = "featurepipe.input-manifest-sha256";
  public static final String DT = "featurepipe.dt";
  /** The joined sources' Bronze manifests, {@code <source>=<key>@<sha256>} joined by {@code ;}, in join order. */
  public static final String DIMENSION_MANIFESTS = "featurepipe.dimension-manifests";

  /** Lineage of one commit. */
  public record Lineage(String runId, String codeVersion, String configSha256, String inputManifestKey,
      String inputManifestSha256, String dimensionManifests, String inputFingerprint) {}

  private final Catalog catalog;
  private final String database;
  private final String lakeBucket;
  private final LakeStore lake;

  public SilverCommitter(Catalog catalog, String database, String lakeBucket, LakeStore lake) {
    this.catalog = catalog;
    this.database = database;
    this.lakeBucket = lakeBucket;
    this.lake = lake;
  }

  public TableIdentifier tableId(FeatureGroupConfig group) {
    return TableIdentifier.of(Namespace.of(database), group.versionedName());
  }

  public TableIdentifier tilesTableId(FeatureGroupConfig group) {
    return TableIdentifier.of(Namespace.of(database), group.tilesName());
  }

  /** Loads the group's feature table, creating it on first use; refuses a table whose schema differs. */
  public Table table(FeatureGroupConfig group) {
    return table(group, tableId(group), SilverSchemas.features(group),
        LakeLayout.silverTableLocation(lakeBucket, group.name(), group.version()),
        "FeaturePipe feature group " + group.versionedName() + " (one row per " + group.entity() + " per dt)");
  }

  /** Loads the group's daily tile table, creating it on first use; refuses a table whose schema differs. */
  public Table tilesTable(FeatureGroupConfig group) {
    return table(group, tilesTableId(group), SilverSchemas.tiles(group),
        LakeLayout.silverTilesTableLocation(lakeBucket, group.name(), group.version()),
        "FeaturePipe daily tiles of " + group.versionedName() + " (partial aggregates per " + group.entity()
            + " per day, from the Bronze partition dt)");
  }

  private Table table(FeatureGroupConfig group, TableIdentifier id, Schema expected, String location, String comment) {
    if (!catalog.tableExists(id)) {
      if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(id.namespace())) {
        try {
          ns.createNamespace(id.namespace());
        } catch (AlreadyExistsException e) {
          // Another committer created it first; fine.
        }
      }
      try {
        Map<String, String> props = new TreeMap<>();
        props.put(TableProperties.FORMAT_VERSION, "2");
        props.put(TableProperties.PARQUET_COMPRESSION, "zstd");
        props.put(TableProperties.PARQUET_COMPRESSION_LEVEL, "3");
        props.put("featurepipe.group", group.name());
        props.put("featurepipe.group-version", Integer.toString(group.version()));
        props.put("featurepipe.entity", group.entity());
        props.put("featurepipe.features", String.join(",",
            group.spec().outputFeatures().stream().map(f -> f.column()).toList()));
        props.put("comment", comment);
        props.put(PublishedDefinitions.PROPERTY, group.definition());
        return catalog.buildTable(id, expected)
            .withPartitionSpec(SilverSchemas.partitionSpec(expected, group))
            .withSortOrder(SilverSchemas.sortOrder(expected, group))
            .withLocation(location)
            .withProperties(props)
            .create();
      } catch (AlreadyExistsException e) {
        // Lost a creation race: use the winner's table, checked below like any other.
      }
    }
    Table table = catalog.loadTable(id);
    PublishedDefinitions.check(group, table);
    checkSchema(group, id, table, expected);
    return table;
  }

  /**
   * Refuses a config that changed a published version of {@code group} (see {@link
   * PublishedDefinitions}); reads table metadata only, and passes before the first commit.
   */
  public void checkPublishedDefinition(FeatureGroupConfig group) {
    checkPublished(group, tableId(group), SilverSchemas.features(group));
    checkPublished(group, tilesTableId(group), SilverSchemas.tiles(group));
  }

  private void checkPublished(FeatureGroupConfig group, TableIdentifier id, Schema expected) {
    if (catalog.tableExists(id)) {
      Table table = catalog.loadTable(id);
      PublishedDefinitions.check(group, table);
      // A table from before definitions were recorded: its schema still tells a changed one apart.
      checkSchema(group, id, table, expected);
    }
  }

  private static void checkSchema(FeatureGroupConfig group, TableIdentifier id, Table table, Schema expected) {
    if (!table.schema().sameSchema(expected)) {
      throw new SchemaIncompatible("table " + id + " has schema " + table.schema().asStruct()
          + " but config " + group.versionedName() + " defines " + expected.asStruct()
          + "; published versions are immutable: give the changed definition version "
          + (group.version() + 1));
    }
  }

  /**
   * The stored tile files of {@code shard}'s buckets that {@code group}'s windows merge for date
   * {@code dt}: those of D-(w-1)..D-1 for its longest finite window w, or of every earlier date for
   * a lifetime window (fine while tables are young; a running lifetime tile would bound it); none
   * when its windows are one day.
   */
  public List<StoredTiles> priorTiles(FeatureGroupConfig group, LocalDate dt, int shard, int shardCount) {
    var spec = group.spec();
    if (spec.longestFiniteWindowDays() == 1 && !spec.usesLifetime()) {
      return List.of();
    }
    LocalDate from = spec.usesLifetime() ? null : dt.minusDays(spec.longestFiniteWindowDays() - 1L);
    return storedTiles(group, from, dt.minusDays(1), shard, shardCount);
  }

  /**
   * The committed tile files of {@code shard}'s buckets whose {@code dt} is in {@code [from, to]}
   * ({@code from} null: every earlier date, for lifetime windows), sorted by key; none before the
   * table's first commit. Only metadata is read.
   */
  public List<StoredTiles> storedTiles(FeatureGroupConfig group, LocalDate from, LocalDate to, int shard,
      int shardCount) {
    TableIdentifier id = tilesTableId(group);
    if (!catalog.tableExists(id)) {
      return List.of();
    }
    Table table = catalog.loadTable(id);
    checkSchema(group, id, table, SilverSchemas.tiles(group));
    Expression filter = Expressions.lessThanOrEqual(SilverSchemas.DT, to.toString());
    if (from != null) {
      filter = Expressions.and(Expressions.greaterThanOrEqual(SilverSchemas.DT, from.toString()), filter);
    }
    List<StoredTiles> out = new ArrayList<>();
    String prefix = "s3://" + lakeBucket + "/";
    try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile f = task.file();
        LocalDate dt = LocalDate.ofEpochDay(f.partition().get(0, Integer.class));
        int bucket = f.partition().get(1, Integer.class);
        String location = f.location();
        if (bucket % shardCount != shard || dt.isAfter(to) || (from != null && dt.isBefore(from))) {
          continue;
        }
        if (!location.startsWith(prefix)) {
          throw new IllegalStateException("[BUG] tile file " + location + " is outside the lake bucket " + lakeBucket);
        }
        out.add(new StoredTiles(bucket, dt, location.substring(prefix.length()), f.fileSizeInBytes(), f.recordCount()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot plan the scan of " + id, e);
    }
    out.sort(Comparator.comparing(StoredTiles::key));
    return out;
  }

  /**
   * True when the commits recorded in {@code earlier} are still what both tables serve for its date:
   * the snapshots exist and no later snapshot replaced that {@code dt} partition.
   */
  public boolean stillServes(FeatureGroupConfig group, CommitResult earlier) {
    return stillServes(tableId(group), earlier.snapshotId(), earlier.dt())
        && stillServes(tilesTableId(group), earlier.tilesSnapshotId(), earlier.dt());
  }

  private boolean stillServes(TableIdentifier id, long snapshotId, String dt) {
    if (!catalog.tableExists(id)) {
      return false;
    }
    Table table = catalog.loadTable(id);
    if (table.snapshot(snapshotId) == null) {
      return false;
    }
    for (org.apache.iceberg.Snapshot s : table.snapshots()) {
      if (s.sequenceNumber() > table.snapshot(snapshotId).sequenceNumber() && dt.equals(s.summary().get(DT))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Commits the tile table, then the feature table, each in one transaction replacing its {@code dt}
   * partition. If the second fails, the date's tiles are already new while its features are not; a
   * rerun reuses the shards (their inputs are earlier days' tiles, which did not change), commits the
   * same tile files again and then the features, so it converges.
   */
  public CommitResult commit(
      String runId, LocalDate dt, FeatureGroupConfig group, int shardCount, Lineage lineage) {
    List<BucketFile> tileFiles = new ArrayList<>();
    List<BucketFile> files = new ArrayList<>();
    for (int shard = 0; shard < shardCount; shard++) {
      ShardResult r = lake.getJson(
          LakeLayout.transformResult(runId, group.versionedName(), shard, shardCount), ShardResult.class);
      tileFiles.addAll(r.tileFiles());
      files.addAll(r.featureFiles());
    }
    tileFiles.sort(Comparator.comparingInt(BucketFile::bucket));
    files.sort(Comparator.comparingInt(BucketFile::bucket));

    Table tiles = tilesTable(group);
    long tilesSnapshot = commitPartition(tiles, tilesTableId(group), group, dt, tileFiles, lineage);
    Table features = table(group);
    long snapshot = commitPartition(features, tableId(group), group, dt, files, lineage);
    CommitResult result = new CommitResult(group.versionedName(), tableId(group).toString(), dt.toString(),
        snapshot, rows(files), files, tilesTableId(group).toString(), tilesSnapshot, rows(tileFiles), tileFiles,
        lineage.inputFingerprint());
    lake.putJson(LakeLayout.commitResult(runId, group.versionedName()), result);
    return result;
  }

  /**
   * Write-audit-publish, the failed-audit side: commits the group's feature files of {@code dt} to
   * the branch {@code branch} of its feature table, never to {@code main}, so the rows that failed
   * the audit can be queried (Iceberg branch reads: Spark {@code VERSION AS OF 'audit_...'}, Athena,
   * Trino) while the served features stay as they were. Returns the branch's snapshot id.
   */
  public long stageForAudit(String runId, LocalDate dt, FeatureGroupConfig group, int shardCount, Lineage lineage,
      String branch) {
    List<BucketFile> files = new ArrayList<>();
    for (int shard = 0; shard < shardCount; shard++) {
      files.addAll(lake.getJson(LakeLayout.transformResult(runId, group.versionedName(), shard, shardCount),
          ShardResult.class).featureFiles());
    }
    files.sort(Comparator.comparingInt(BucketFile::bucket));
    return commitPartition(table(group), tableId(group), group, dt, files, lineage, branch);
  }

  /**
   * The feature row count {@code main} serves for each {@code dt} in {@code [from, to]} (from the
   * snapshot that last replaced that partition), in date order; dates never committed are absent.
   */
  public List<Long> featureRows(FeatureGroupConfig group, LocalDate from, LocalDate to) {
    TableIdentifier id = tableId(group);
    if (!catalog.tableExists(id)) {
      return List.of();
    }
    Table table = catalog.loadTable(id);
    java.util.TreeMap<String, org.apache.iceberg.Snapshot> latest = new java.util.TreeMap<>();
    for (org.apache.iceberg.Snapshot s : org.apache.iceberg.util.SnapshotUtil.currentAncestors(table)) {
      String dt = s.summary().get(DT);
      if (dt != null && dt.compareTo(from.toString()) >= 0 && dt.compareTo(to.toString()) <= 0) {
        latest.putIfAbsent(dt, s); // ancestors come newest first
      }
    }
    List<Long> out = new ArrayList<>();
    latest.values().forEach(s -> out.add(Long.parseLong(s.summary().getOrDefault("added-records", "0"))));
    return out;
  }

  private static long rows(List<BucketFile> files) {
    return files.stream().mapToLong(f -> f.file().rows()).sum();
  }

  private long commitPartition(Table table, TableIdentifier id, FeatureGroupConfig group, LocalDate dt,
      List<BucketFile> files, Lineage lineage) {
    return commitPartition(table, id, group, dt, files, lineage, null);
  }

  /** {@code branch}: null for {@code main}; else the commit goes to that branch only (write-audit-publish). */
  private long commitPartition(Table table, TableIdentifier id, FeatureGroupConfig group, LocalDate dt,
      List<BucketFile> files, Lineage lineage, String branch) {
    PartitionSpec spec = table.spec();
    MetricsConfig metrics = MetricsConfig.forTable(table);
    Transaction tx = table.newTransaction();
    OverwriteFiles overwrite =
        tx.newOverwrite().overwriteByRowFilter(Expressions.equal(SilverSchemas.DT, dt.toString()));
    if (branch != null) {
      overwrite.toBranch(branch);
    }
    for (BucketFile f : files) {
      String location = "s3://" + lakeBucket + "/" + f.file().key();
      DataFile dataFile = DataFiles.builder(spec)
          .withPath(location)
          .withFormat(FileFormat.PARQUET)
          .withFileSizeInBytes(f.file().bytes())
          .withPartitionPath(SilverSchemas.DT + "=" + dt + "/" + group.entity() + "_bucket=" + f.bucket())
          .withMetrics(ParquetUtil.fileMetrics(table.io().newInputFile(location, f.file().bytes()), metrics))
          .build();
      if (dataFile.recordCount() != f.file().rows()) {
        throw new IllegalStateException("[BUG] " + location + " has " + dataFile.recordCount()
            + " rows but its shard result says " + f.file().rows());
      }
      overwrite.addFile(dataFile);
    }
    overwrite.set(RUN_ID, lineage.runId())
        .set(CODE_VERSION, lineage.codeVersion())
        .set(CONFIG_SHA256, lineage.configSha256())
        .set(INPUT_MANIFEST, lineage.inputManifestKey())
        .set(INPUT_MANIFEST_SHA256, lineage.inputManifestSha256())
        .set(DIMENSION_MANIFESTS, lineage.dimensionManifests())
        .set(DT, dt.toString())
        .commit();
    if (branch != null) {
      try {
        tx.commitTransaction();
      } catch (CommitFailedException e) {
        throw new CommitConflict("table " + id + " changed while staging dt=" + dt + " on branch " + branch, e);
      }
      table.refresh();
      return table.refs().get(branch).snapshotId();
    }
    tx.updateProperties()
        .set(PublishedDefinitions.PROPERTY, group.definition())
        .set("featurepipe.last-run-id", lineage.runId())
        .set("featurepipe.last-dt", dt.toString())
        .set("featurepipe.last-code-version", lineage.codeVersion())
        .set("featurepipe.last-config-sha256", lineage.configSha256())
        .commit();
    try {
      tx.commitTransaction();
    } catch (CommitFailedException e) {
      throw new CommitConflict("table " + id + " changed while committing dt=" + dt
          + " (" + e.getMessage() + "); the step retries against the new table state", e);
    }
    table.refresh();
    if (!lineage.runId().equals(table.currentSnapshot().summary().get(RUN_ID))) {
      throw new CommitConflict("table " + id + " got another commit right after ours for dt="
          + dt + "; rerun to record a consistent snapshot id");
    }
    return table.currentSnapshot().snapshotId();
  }
}
