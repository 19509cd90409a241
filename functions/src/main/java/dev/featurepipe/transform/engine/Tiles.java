package dev.featurepipe.transform.engine;

import dev.featurepipe.transform.engine.internal.Layout;
import dev.featurepipe.transform.engine.internal.Layout.TileState;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;

/**
 * The daily tile table ({@code <group>_v<N>_tiles}): schema and exact merge of partial tiles.
 *
 * <p>Schema: the entity column, {@code day} (date), {@code rows} (long), then per aggregate in
 * declared order (then the vector) its state, named {@code <feature>__<part>}: count {@code __n};
 * sum {@code __sum} (long for int/long columns, decimal(38, s) for decimal(p, s), the exact
 * decimal string of the binary sum for float/double); mean {@code __n, __sum}; stddev {@code __n,
 * __sum, __sum_sq} (sum of squares: decimal(38, 0), decimal(38, 2s) or string); min/max {@code
 * __min}/{@code __max} of the column type; count_distinct {@code __values}, the sorted list of
 * distinct values; last {@code __time, __key, __value}, the greatest (event time, dedupe key) with
 * a non-null value; top_k {@code __counts}, a map value to count in value order; the vector
 * {@code <vector>__counts}, one count per vocabulary entry in vocabulary order.
 */
public final class Tiles {

  /** An (entity, day) tile key. */
  record Key(Object entity, LocalDate day) {}

  private Tiles() {}

  public static Schema schema(FeatureGroupSpec spec) {
    return new Layout(spec).tileSchema();
  }

  /**
   * Merges partial tiles of the same (entity, day) into one each, sorted by entity then day. The
   * merge is exact, so any grouping and order of the inputs gives the same records. Partial tiles
   * must come from disjoint sets of events (see {@link TileBuilder}).
   */
  public static List<Record> merge(FeatureGroupSpec spec, Iterable<Record> partials) {
    Layout layout = new Layout(spec);
    Map<Key, TileState> merged = new HashMap<>();
    for (Record r : partials) {
      Key k = new Key(r.get(Layout.TILE_ENTITY), (LocalDate) r.get(Layout.TILE_DAY));
      layout.mergeInto(merged.computeIfAbsent(k, x -> layout.newState()), r);
    }
    return sortedTiles(layout, new ArrayList<>(merged.entrySet()));
  }

  static List<Record> sortedTiles(Layout layout, List<Map.Entry<Key, TileState>> tiles) {
    Comparator<Object> entity = layout.entityOrder();
    List<Map.Entry<Key, TileState>> sorted = new ArrayList<>(tiles);
    sorted.sort(Comparator.<Map.Entry<Key, TileState>, Object>comparing(e -> e.getKey().entity(), entity)
        .thenComparing(e -> e.getKey().day()));
    List<Record> out = new ArrayList<>(sorted.size());
    for (Map.Entry<Key, TileState> e : sorted) {
      out.add(layout.write(e.getKey().entity(), e.getKey().day(), e.getValue()));
    }
    return out;
  }
}
