package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.lineage.RunRecord;
import dev.featurepipe.run.StepRequests.ShuffleItem;
import dev.featurepipe.transform.BronzeShuffler;
import dev.featurepipe.transform.ShuffleFile;
import dev.featurepipe.transform.SilverSchemas;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Transform's map-reduce through S3, on the embedded stack: SealBronze sizes each group's shard
 * count from its Bronze rows, ShuffleBronze routes every Bronze row to exactly the shard that owns
 * its entity's bucket, and the features are the same bytes whatever the shard count.
 */
class TransformShuffleEndToEndTest {

  private static final int ROWS_PER_SHARD = 1_000;

  @Test
  void shardsAreSizedFromBronzeAndEveryRowReachesExactlyTheShardOwningItsBucket(@TempDir Path tempDir) {
    LocalDate d = LocalDate.of(2026, 7, 1);
    FeatureGroupConfig group = ConfigLoader.loadBundled().config().group("product_stats_v1").orElseThrow();
    try (LocalStackFixture stack = new LocalStackFixture(tempDir)) {
      stack.upload(81, d, 6_000, 3, 2);
      assertThat(stack.runDaily(d, Map.of("rowsPerShard", ROWS_PER_SHARD)).status()).isEqualTo("SUCCEEDED");

      PartitionManifest bronze = stack.lake().getJson(LakeLayout.bronzeManifest("clickstream", d),
          PartitionManifest.class);
      int shards = (int) Math.min((bronze.rows() + ROWS_PER_SHARD - 1) / ROWS_PER_SHARD, group.buckets());
      assertThat(shards).as("the data set must need several shards for this test to mean something")
          .isBetween(2, group.buckets() - 1);
      RunRecord run = stack.runRecord(d);
      List<ShuffleItem> items = Arrays.asList(stack.lake().getJson(LakeLayout.shuffleItems(run.runId()),
          ShuffleItem[].class));
      assertThat(items).filteredOn(i -> i.group().equals(group.versionedName()))
          .extracting(ShuffleItem::file).containsExactlyElementsOf(bronze.files());
      assertThat(items).allSatisfy(i -> assertThat(i.shardCount()).isEqualTo(shards));

      Function<Object, Integer> bucketOf = SilverSchemas.bucketFunction(group);
      for (FileEntry file : bronze.files()) {
        List<String> bronzeIds = new ArrayList<>();
        ParquetFiles.read(stack.lake().get(file.key()), ClickstreamSchema.BRONZE)
            .forEach(r -> bronzeIds.add(r.getField("event_id") + "@" + r.getField("_source_line")));
        String key = BronzeShuffler.key(group, d, file, shards, run.codeVersion());
        List<String> shuffledIds = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
          for (Record r : ShuffleFile.readSegment(stack.lake(), key, s, shards, ClickstreamSchema.BRONZE)) {
            Object entity = r.getField(group.entity());
            int owner = entity == null ? 0 : bucketOf.apply(entity) % shards;
            assertThat(owner).as("row %s of %s in segment %d", r.getField("event_id"), file.key(), s).isEqualTo(s);
            shuffledIds.add(r.getField("event_id") + "@" + r.getField("_source_line"));
          }
        }
        assertThat(shuffledIds).as("every row of %s exactly once", file.key())
            .containsExactlyInAnyOrderElementsOf(bronzeIds);
      }
      assertThat(stack.lake().list("tmp/shuffle/" + group.versionedName() + "/dt=" + d + "/"))
          .hasSize(bronze.files().size());

      Map<String, String> features = stack.objectHashes("silver/product_stats/v_1/data/dt=" + d + "/");
      Map<String, String> tiles = stack.objectHashes("silver/product_stats/v_1_tiles/data/dt=" + d + "/");
      var online = stack.onlineItems(d);
      assertThat(stack.runDaily(d, Map.of("shards", 1), true).status()).isEqualTo("SUCCEEDED");
      assertThat(stack.objectHashes("silver/product_stats/v_1/data/dt=" + d + "/")).isEqualTo(features)
          .hasSizeGreaterThan(shards);
      assertThat(stack.objectHashes("silver/product_stats/v_1_tiles/data/dt=" + d + "/")).isEqualTo(tiles);
      assertThat(stack.onlineItems(d)).isEqualTo(online).isNotEmpty();
    }
  }
}
