package dev.featurepipe.transform;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.transform.engine.FeatureComputer;
import dev.featurepipe.transform.engine.TileBuilder;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;

/**
 * The reduce side of the Transform map-reduce: computes one shard of one feature group for one date
 * with the feature engine. The date's tiles come from the shard's segments of the group's shuffle
 * files (one per Bronze file, see {@link BronzeShuffler}; joined with its dimension sources' whole
 * partitions of the same date), then the features as of the date from those tiles and the stored
 * tiles of the earlier days its windows cover. The heap holds one shard's rows, never the day's. A
 * group with one shard reads its Bronze files directly (no shuffle is planned for it).
 *
 * <p>A shard owns the Iceberg buckets {@code b} of the entity with {@code b % shardCount == shard};
 * source rows are routed by bucket, one {@link TileBuilder} per bucket, and each non-empty bucket
 * gets one tile file and one feature file. A bucket's files depend only on the bucket's rows and
 * tiles, never on the shard count, so any fan-out writes the same bytes.
 */
public final class FeatureShardBuilder {

  private final LakeStore lake;

  public FeatureShardBuilder(LakeStore lake) {
    this.lake = lake;
  }

  /**
   * {@code dimensions}: per joined source id, its Bronze schema and partition manifest. {@code
   * priorTiles}: the stored tile files of this shard's buckets for the earlier days the windows
   * need, in any order.
   */
  public ShardResult build(String runId, LocalDate dt, FeatureGroupConfig group, Schema sourceSchema,
      PartitionManifest bronze, SortedMap<String, Dimension> dimensions, List<StoredTiles> priorTiles, int shard,
      int shardCount, String inputFingerprint, String codeVersion) {
    Map<String, List<Record>> dimensionRows = new TreeMap<>();
    Map<String, Schema> dimensionSchemas = new TreeMap<>();
    dimensions.forEach((source, d) -> {
      dimensionSchemas.put(source, d.schema());
      List<Record> rows = new ArrayList<>();
      for (FileEntry f : d.manifest().files()) {
        rows.addAll(ParquetFiles.read(BronzeShuffler.verified(lake, f), d.schema()));
      }
      dimensionRows.put(source, rows);
    });

    Function<Object, Integer> bucketOf = SilverSchemas.bucketFunction(group);
    int entityPos = sourceSchema.columns().indexOf(sourceSchema.findField(group.entity()));
    TreeMap<Integer, TileBuilder> builders = new TreeMap<>();
    long inputRows = 0;
    long skipped = 0;
    for (FileEntry file : bronze.files()) {
      // The map side routed this shard's rows of the file into one segment (BronzeShuffler); a
      // single shard reads the file itself, as SealBronze plans no shuffle for it.
      String key = shardCount == 1 ? file.key() : BronzeShuffler.key(group, dt, file, shardCount, codeVersion);
      List<Record> rows = shardCount == 1
          ? ParquetFiles.read(BronzeShuffler.verified(lake, file), sourceSchema)
          : ShuffleFile.readSegment(lake, key, shard, shardCount, sourceSchema);
      for (Record row : rows) {
        inputRows++;
        Object entity = row.get(entityPos);
        if (entity == null) {
          // No bucket: shard 0 gets and counts them, so the shards' counts add up to the partition's rows.
          skipped++;
          continue;
        }
        int bucket = bucketOf.apply(entity);
        if (bucket % shardCount != shard) {
          throw new IllegalStateException("[BUG] " + key + " gave shard " + shard + " of " + shardCount
              + " a row of bucket " + bucket);
        }
        builders.computeIfAbsent(bucket,
            b -> new TileBuilder(group.spec(), sourceSchema, dimensionRows, dimensionSchemas)).add(row);
      }
    }

    Schema tileSchema = SilverSchemas.tiles(group);
    Schema featureSchema = SilverSchemas.features(group);
    TreeMap<Integer, List<Record>> stored = new TreeMap<>();
    List<String> priorKeys = new ArrayList<>();
    for (StoredTiles t : priorTiles.stream().sorted(java.util.Comparator.comparing(StoredTiles::key)).toList()) {
      if (t.bucket() % shardCount != shard) {
        throw new IllegalArgumentException("[BUG] shard " + shard + " of " + shardCount + " was given tiles of bucket "
            + t.bucket());
      }
      // Rows read with the Silver schema: the engine's tile columns first, dt last, so as the engine reads them.
      stored.computeIfAbsent(t.bucket(), b -> new ArrayList<>()).addAll(ParquetFiles.read(lake.get(t.key()), tileSchema));
      priorKeys.add(t.key());
    }

    java.util.TreeSet<Integer> buckets = new java.util.TreeSet<>(builders.keySet());
    buckets.addAll(stored.keySet());
    FeatureComputer computer = new FeatureComputer(group.spec());
    // The group's quality rules see every feature row as it is written: statistics, no extra pass.
    dev.featurepipe.quality.RowChecker checker = group.quality().isEmpty() ? null
        : new dev.featurepipe.quality.RowChecker(group.quality(), featureSchema);
    List<BucketFile> tileFiles = new ArrayList<>();
    List<BucketFile> featureFiles = new ArrayList<>();
    long duplicates = 0;
    long tiles = 0;
    long entities = 0;
    for (int bucket : buckets) {
      List<Record> today = List.of();
      TileBuilder builder = builders.get(bucket);
      if (builder != null) {
        today = builder.finish();
        duplicates += builder.duplicates();
        skipped += builder.skipped();
      }
      List<Record> window = new ArrayList<>(stored.getOrDefault(bucket, List.of()));
      window.addAll(today);
      List<Record> features = computer.compute(dt, window);
      if (!today.isEmpty()) {
        tileFiles.add(write(tileSchema, today, dt, bucket,
            sha -> LakeLayout.silverTilesFile(group.name(), group.version(), dt, group.entity(), bucket, sha), null));
        tiles += today.size();
      }
      if (!features.isEmpty()) {
        featureFiles.add(write(featureSchema, features, dt, bucket,
            sha -> LakeLayout.silverFile(group.name(), group.version(), dt, group.entity(), bucket, sha), checker));
        entities += features.size();
      }
    }
    ShardResult result = new ShardResult(group.versionedName(), shard, shardCount, inputRows, duplicates, skipped,
        tiles, entities, tileFiles, featureFiles, priorKeys, inputFingerprint,
        checker == null ? null : checker.finish((rule, bytes) -> {
          throw new IllegalStateException("[BUG] feature rule " + rule + " asked for key hashes; IsUnique is refused"
              + " for feature groups at load");
        }));
    lake.putJson(LakeLayout.transformResult(runId, group.versionedName(), shard, shardCount), result);
    return result;
  }

  /** A joined source's Bronze schema and its sealed partition. */
  public record Dimension(Schema schema, PartitionManifest manifest) {}

  /** The engine's rows (already in their total order) with {@code dt} appended, as one content-addressed file. */
  private BucketFile write(Schema schema, List<Record> rows, LocalDate dt, int bucket, Function<String, String> key,
      dev.featurepipe.quality.RowChecker checker) {
    GenericRecord template = GenericRecord.create(schema);
    int dtPos = schema.columns().size() - 1;
    List<Record> out = new ArrayList<>(rows.size());
    for (Record r : rows) {
      GenericRecord s = template.copy();
      for (int i = 0; i < dtPos; i++) {
        s.set(i, r.get(i));
      }
      s.set(dtPos, dt);
      out.add(s);
      if (checker != null) {
        checker.check(s);
      }
    }
    byte[] parquet = ParquetFiles.write(schema, out);
    return new BucketFile(bucket, lake.put(key.apply(Hashing.sha256Hex(parquet)), parquet, out.size(),
        "application/vnd.apache.parquet"));
  }

}
