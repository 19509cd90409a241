package dev.featurepipe.catalog;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.errors.CommitConflict;
import dev.featurepipe.errors.SchemaIncompatible;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.transform.BucketFile;
import dev.featurepipe.transform.ProductStatsSchema;
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
 * Makes the one Iceberg commit per feature group per date: the shards' files replace the {@code
 * dt} partition atomically, in one transaction that also records lineage in the snapshot summary
 * and the table properties (which Glue shows as table parameters). Readers see the old partition
 * or the new one, never a mix; a failure before the commit leaves the table as it was.
 */
public final class SilverCommitter {

  public static final String RUN_ID = "featurepipe.run-id";
  public static final String CODE_VERSION = "featurepipe.code-version";
  public static final String CONFIG_SHA256 = "featurepipe.config-sha256";
  public static final String INPUT_MANIFEST = "featurepipe.input-manifest";
  public static final String INPUT_MANIFEST_SHA256 = "featurepipe.input-manifest-sha256";
  public static final String DT = "featurepipe.dt";

  /** Lineage of one commit. */
  public record Lineage(String runId, String codeVersion, String configSha256, String inputManifestKey,
      String inputManifestSha256, String inputFingerprint) {}

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

  /** Loads the group's table, creating it on first use; refuses a table whose schema differs. */
  public Table table(FeatureGroupConfig group) {
    Schema expected = ProductStatsSchema.silver(group);
    TableIdentifier id = tableId(group);
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
        props.put("featurepipe.features", String.join(",", group.features()));
        props.put("comment", "FeaturePipe feature group " + group.versionedName() + " (one row per "
            + group.entity() + " per dt)");
        return catalog.buildTable(id, expected)
            .withPartitionSpec(ProductStatsSchema.spec(expected, group))
            .withSortOrder(ProductStatsSchema.sortOrder(expected))
            .withLocation(LakeLayout.silverTableLocation(lakeBucket, group.name(), group.version()))
            .withProperties(props)
            .create();
      } catch (AlreadyExistsException e) {
        // Lost a creation race: use the winner's table, checked below like any other.
      }
    }
    Table table = catalog.loadTable(id);
    if (!table.schema().sameSchema(expected)) {
      throw new SchemaIncompatible("table " + id + " has schema " + table.schema().asStruct()
          + " but config " + group.versionedName() + " defines " + expected.asStruct()
          + "; published versions are immutable: give the changed definition version "
          + (group.version() + 1));
    }
    return table;
  }

  /**
   * True when the commit recorded in {@code earlier} is still what the table serves for its date:
   * the snapshot exists and no later snapshot replaced that {@code dt} partition.
   */
  public boolean stillServes(FeatureGroupConfig group, CommitResult earlier) {
    if (!catalog.tableExists(tableId(group))) {
      return false;
    }
    Table table = catalog.loadTable(tableId(group));
    if (table.snapshot(earlier.snapshotId()) == null) {
      return false;
    }
    for (org.apache.iceberg.Snapshot s : table.snapshots()) {
      if (s.sequenceNumber() > table.snapshot(earlier.snapshotId()).sequenceNumber()
          && earlier.dt().equals(s.summary().get(DT))) {
        return false;
      }
    }
    return true;
  }

  public CommitResult commit(
      String runId, LocalDate dt, FeatureGroupConfig group, int shardCount, Lineage lineage) {
    List<BucketFile> files = new ArrayList<>();
    for (int shard = 0; shard < shardCount; shard++) {
      ShardResult r = lake.getJson(
          LakeLayout.transformResult(runId, group.versionedName(), shard, shardCount), ShardResult.class);
      files.addAll(r.files());
    }
    files.sort(Comparator.comparingInt(BucketFile::bucket));

    Table table = table(group);
    PartitionSpec spec = table.spec();
    MetricsConfig metrics = MetricsConfig.forTable(table);
    long rows = 0;
    Transaction tx = table.newTransaction();
    OverwriteFiles overwrite =
        tx.newOverwrite().overwriteByRowFilter(Expressions.equal("dt", dt.toString()));
    for (BucketFile f : files) {
      String location = "s3://" + lakeBucket + "/" + f.file().key();
      DataFile dataFile = DataFiles.builder(spec)
          .withPath(location)
          .withFormat(FileFormat.PARQUET)
          .withFileSizeInBytes(f.file().bytes())
          .withPartitionPath("dt=" + dt + "/" + ProductStatsSchema.ENTITY + "_bucket=" + f.bucket())
          .withMetrics(ParquetUtil.fileMetrics(table.io().newInputFile(location, f.file().bytes()), metrics))
          .build();
      if (dataFile.recordCount() != f.file().rows()) {
        throw new IllegalStateException("[BUG] " + location + " has " + dataFile.recordCount()
            + " rows but its shard result says " + f.file().rows());
      }
      overwrite.addFile(dataFile);
      rows += f.file().rows();
    }
    overwrite.set(RUN_ID, lineage.runId())
        .set(CODE_VERSION, lineage.codeVersion())
        .set(CONFIG_SHA256, lineage.configSha256())
        .set(INPUT_MANIFEST, lineage.inputManifestKey())
        .set(INPUT_MANIFEST_SHA256, lineage.inputManifestSha256())
        .set(DT, dt.toString())
        .commit();
    tx.updateProperties()
        .set("featurepipe.last-run-id", lineage.runId())
        .set("featurepipe.last-dt", dt.toString())
        .set("featurepipe.last-code-version", lineage.codeVersion())
        .set("featurepipe.last-config-sha256", lineage.configSha256())
        .commit();
    try {
      tx.commitTransaction();
    } catch (CommitFailedException e) {
      throw new CommitConflict("table " + tableId(group) + " changed while committing dt=" + dt
          + " (" + e.getMessage() + "); the step retries against the new table state", e);
    }
    table.refresh();
    long snapshotId = table.currentSnapshot().snapshotId();
    if (!lineage.runId().equals(table.currentSnapshot().summary().get(RUN_ID))) {
      throw new CommitConflict("table " + tableId(group) + " got another commit right after ours for dt="
          + dt + "; rerun to record a consistent snapshot id");
    }
    CommitResult result = new CommitResult(group.versionedName(), tableId(group).toString(), dt.toString(),
        snapshotId, rows, files, lineage.inputFingerprint());
    lake.putJson(LakeLayout.commitResult(runId, group.versionedName()), result);
    return result;
  }
}
