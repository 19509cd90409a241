package dev.featurepipe.transform;

import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.ops.Hashing;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;

/**
 * The map side of the Transform map-reduce: routes one Bronze file's rows to the Transform shards of
 * one feature group by the entity's Iceberg bucket ({@code bucket % shardCount}), into one {@link
 * ShuffleFile}. Rows without an entity have no bucket and go to shard 0, which counts them.
 *
 * <p>Rows are shuffled whole, not pre-aggregated: a group deduplicates events by its dedupe key
 * across the whole day, and a duplicate can sit in another Bronze file, so a per-file partial
 * aggregate would count it twice. The shard merges every copy of an entity's events in one
 * builder, which keeps the survivor the first in canonical order whatever the file split.
 */
public final class BronzeShuffler {

  private final LakeStore lake;

  public BronzeShuffler(LakeStore lake) {
    this.lake = lake;
  }

  /** Where the shuffle of {@code file} for {@code group} into {@code shardCount} shards is, by content. */
  public static String key(FeatureGroupConfig group, LocalDate dt, FileEntry file, int shardCount,
      String codeVersion) {
    // Everything the bytes depend on: the Bronze file's content, the routing (entity column, bucket
    // count, shard count) and the code. Never the feature definitions: rows are shuffled whole.
    String identity = String.join("\n", file.sha256(), group.entity(), Integer.toString(group.buckets()),
        Integer.toString(shardCount), codeVersion);
    return LakeLayout.shuffleFile(group.versionedName(), dt,
        Hashing.sha256Hex(identity.getBytes(StandardCharsets.UTF_8)));
  }

  /** A written (or still present) shuffle file and the rows it routed. */
  public record Shuffled(String key, long rows, long withoutEntity, int nonEmptyShards, boolean reused) {}

  /**
   * Shuffles {@code file} unless its shuffle file already exists (same key, same bytes: a retry or
   * rerun). {@code file} is checked against its manifest SHA-256 first.
   */
  public Shuffled shuffle(FeatureGroupConfig group, Schema sourceSchema, LocalDate dt, FileEntry file,
      int shardCount, String codeVersion, boolean force) {
    String key = key(group, dt, file, shardCount, codeVersion);
    if (!force && lake.exists(key)) {
      return new Shuffled(key, file.rows(), -1, -1, true);
    }
    Function<Object, Integer> bucketOf = SilverSchemas.bucketFunction(group);
    int entityPos = sourceSchema.columns().indexOf(sourceSchema.findField(group.entity()));
    List<List<Record>> byShard = new ArrayList<>(shardCount);
    for (int s = 0; s < shardCount; s++) {
      byShard.add(new ArrayList<>());
    }
    long rows = 0;
    long withoutEntity = 0;
    for (Record row : ParquetFiles.read(verified(lake, file), sourceSchema)) {
      rows++;
      Object entity = row.get(entityPos);
      if (entity == null) {
        withoutEntity++;
        byShard.get(0).add(row);
      } else {
        byShard.get(bucketOf.apply(entity) % shardCount).add(row);
      }
    }
    int nonEmpty = (int) byShard.stream().filter(l -> !l.isEmpty()).count();
    lake.put(key, ShuffleFile.write(sourceSchema, byShard), rows, "application/octet-stream");
    return new Shuffled(key, rows, withoutEntity, nonEmpty, false);
  }

  /** A Bronze file's bytes, refused when they are not what its partition manifest recorded. */
  static byte[] verified(LakeStore lake, FileEntry file) {
    byte[] bytes = lake.get(file.key());
    String actual = Hashing.sha256Hex(bytes);
    if (!actual.equals(file.sha256())) {
      throw new IllegalStateException("s3://" + lake.bucket() + "/" + file.key() + " has SHA-256 " + actual
          + " but its manifest says " + file.sha256() + "; the partition was changed outside the pipeline, rerun its extract");
    }
    return bytes;
  }
}
