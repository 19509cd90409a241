package dev.featurepipe.transform.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.lake.ParquetFiles;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

/**
 * Output bytes (records written with the pinned Parquet settings) never depend on row order, on
 * how rows are split into chunks, on how partial tiles are grouped when merged, or on events after
 * the as-of date.
 */
class DeterminismTest {

  private static final FeatureGroupSpec SPEC = EngineFixtures.userActivity();
  private static final Schema TILES = Tiles.schema(SPEC);
  private static final Schema FEATURES = FeatureComputer.schema(SPEC);
  private static final List<Record> ROWS = EngineFixtures.clickstream(7, 4000);

  private static List<Record> tiles(List<Record> rows) {
    TileBuilder b = EngineFixtures.builder(SPEC);
    b.addAll(rows);
    return b.finish();
  }

  private static byte[] bytes(Schema schema, List<Record> records) {
    return ParquetFiles.write(schema, records);
  }

  private static byte[] features(List<Record> tiles) {
    return bytes(FEATURES, new FeatureComputer(SPEC).compute(EngineFixtures.AS_OF, tiles));
  }

  /** Splits rows into {@code k} chunks at random, every copy of one event in the same chunk. */
  private static List<List<Record>> chunks(List<Record> rows, int k, Random rnd) {
    Map<String, Integer> chunkOf = new LinkedHashMap<>();
    List<List<Record>> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      out.add(new ArrayList<>());
    }
    for (Record r : rows) {
      String key = r.getField("user_id") + "\u0000" + r.getField("event_id");
      out.get(chunkOf.computeIfAbsent(key, x -> rnd.nextInt(k))).add(r);
    }
    return out;
  }

  /** Merges partial tiles through a random tree of sub-merges. */
  private static List<Record> randomMerge(List<Record> partials, Random rnd) {
    if (partials.size() < 4 || rnd.nextInt(4) == 0) {
      return Tiles.merge(SPEC, partials);
    }
    List<Record> shuffled = new ArrayList<>(partials);
    Collections.shuffle(shuffled, rnd);
    int cut = 1 + rnd.nextInt(shuffled.size() - 1);
    List<Record> merged = new ArrayList<>(randomMerge(shuffled.subList(0, cut), rnd));
    merged.addAll(randomMerge(shuffled.subList(cut, shuffled.size()), rnd));
    return Tiles.merge(SPEC, merged);
  }

  @Test
  void shuffledAndResplitInputGivesByteIdenticalTilesAndFeatures() {
    List<Record> reference = tiles(ROWS);
    byte[] referenceTiles = bytes(TILES, reference);
    byte[] referenceFeatures = features(reference);
    assertThat(reference.size()).isGreaterThan(300);
    for (long seed = 1; seed <= 25; seed++) {
      Random rnd = new Random(seed);
      List<Record> shuffled = new ArrayList<>(ROWS);
      Collections.shuffle(shuffled, rnd);
      assertThat(bytes(TILES, tiles(shuffled))).as("seed %d, one builder", seed).isEqualTo(referenceTiles);

      List<Record> partials = new ArrayList<>();
      for (List<Record> chunk : chunks(shuffled, 2 + rnd.nextInt(9), rnd)) {
        partials.addAll(tiles(chunk));
      }
      Collections.shuffle(partials, rnd);
      List<Record> merged = randomMerge(partials, rnd);
      assertThat(bytes(TILES, merged)).as("seed %d, chunks", seed).isEqualTo(referenceTiles);
      Collections.shuffle(merged, rnd);
      assertThat(features(merged)).as("seed %d, features", seed).isEqualTo(referenceFeatures);
    }
  }

  @Test
  void tileMergeIsAssociativeAndCommutative() {
    List<List<Record>> parts = chunks(ROWS, 3, new Random(3));
    List<Record> a = tiles(parts.get(0));
    List<Record> b = tiles(parts.get(1));
    List<Record> c = tiles(parts.get(2));
    byte[] left = bytes(TILES, Tiles.merge(SPEC, concat(Tiles.merge(SPEC, concat(a, b)), c)));
    byte[] right = bytes(TILES, Tiles.merge(SPEC, concat(a, Tiles.merge(SPEC, concat(b, c)))));
    byte[] reversed = bytes(TILES, Tiles.merge(SPEC, concat(concat(c, b), a)));
    assertThat(left).isEqualTo(right).isEqualTo(reversed).isEqualTo(bytes(TILES, tiles(ROWS)));
  }

  @Test
  void tilesReadBackFromParquetGiveTheSameFeatures() {
    List<Record> tiles = tiles(ROWS);
    List<Record> readBack = ParquetFiles.read(bytes(TILES, tiles), TILES);
    assertThat(features(readBack)).isEqualTo(features(tiles));
    assertThat(bytes(TILES, Tiles.merge(SPEC, readBack))).isEqualTo(bytes(TILES, tiles));
  }

  @Test
  void eventsAfterTheEndOfTheAsOfDayNeverReachAFeature() {
    OffsetDateTime end = EngineFixtures.AS_OF.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    List<Record> upToAsOf = ROWS.stream()
        .filter(r -> ((OffsetDateTime) r.getField("event_time")).isBefore(end)).toList();
    assertThat(upToAsOf).hasSizeLessThan(ROWS.size());
    byte[] expected = features(tiles(upToAsOf));
    assertThat(features(tiles(ROWS))).isEqualTo(expected);

    List<Record> withMidnight = new ArrayList<>(ROWS);
    withMidnight.add(event("late-1", "u-ascii", end));
    assertThat(features(tiles(withMidnight))).isEqualTo(expected);

    List<Record> withLastMicro = new ArrayList<>(ROWS);
    withLastMicro.add(event("late-2", "u-ascii", end.minusNanos(1000)));
    Record before = find(new FeatureComputer(SPEC).compute(EngineFixtures.AS_OF, tiles(ROWS)), "u-ascii");
    Record after = find(new FeatureComputer(SPEC).compute(EngineFixtures.AS_OF, tiles(withLastMicro)), "u-ascii");
    assertThat((Long) after.getField("events_1d")).isEqualTo((Long) before.getField("events_1d") + 1);
  }

  @Test
  void entitiesOnlyInOldTilesGetRowsWhileAWindowCoversThem() {
    FeatureGroupSpec spec = FeatureGroupSpec.parse(EngineFixtures.yaml("""
        name: short
        version: 1
        entity: user_id
        source: clickstream
        event_time: event_time
        dedupe_by: event_id
        windows: [1d, 7d]
        features:
          - {name: events, agg: count}
          - {name: avg_price, agg: mean, column: price}
        """), ClickstreamSchema.BRONZE, Map.of(), 90);
    LocalDate asOf = EngineFixtures.AS_OF;
    List<Record> rows = List.of(
        event("a", "today", asOf.atStartOfDay().atOffset(ZoneOffset.UTC)),
        event("b", "six-days-ago", asOf.minusDays(6).atStartOfDay().atOffset(ZoneOffset.UTC)),
        event("c", "seven-days-ago", asOf.minusDays(7).atStartOfDay().atOffset(ZoneOffset.UTC)));
    TileBuilder b = new TileBuilder(spec, ClickstreamSchema.BRONZE, Map.of(), Map.of());
    b.addAll(rows);
    List<Record> out = new FeatureComputer(spec).compute(asOf, b.finish());
    assertThat(out).extracting(r -> r.getField("user_id")).containsExactly("six-days-ago", "today");
    Record old = find(out, "six-days-ago");
    assertThat(old.getField("events_1d")).isEqualTo(0L);
    assertThat(old.getField("avg_price_1d")).isNull();
    assertThat(old.getField("events_7d")).isEqualTo(1L);
    assertThat(old.getField("avg_price_7d")).isEqualTo(12.5);
  }

  private static Record event(String id, String user, OffsetDateTime time) {
    GenericRecord r = GenericRecord.create(ClickstreamSchema.BRONZE);
    r.setField("event_id", id);
    r.setField("event_time", time);
    r.setField("user_id", user);
    r.setField("product_id", "p1");
    r.setField("event_type", "view");
    r.setField("price", new java.math.BigDecimal("12.50"));
    r.setField("quantity", 1);
    r.setField("_source_line", 1L);
    return r;
  }

  private static Record find(List<Record> rows, String user) {
    return rows.stream().filter(r -> user.equals(r.getField("user_id"))).findFirst().orElseThrow();
  }

  private static List<Record> concat(List<Record> a, List<Record> b) {
    List<Record> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
