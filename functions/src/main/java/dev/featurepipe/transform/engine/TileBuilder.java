package dev.featurepipe.transform.engine;

import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Column;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Join;
import dev.featurepipe.transform.engine.internal.AccSpec;
import dev.featurepipe.transform.engine.internal.Layout;
import dev.featurepipe.transform.engine.internal.Layout.TileState;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * Builds daily tiles: one row per (entity, UTC day of event_time) with the partial state of every
 * aggregate, from source rows given in any order and any number of {@link #add} calls. Rows of
 * any days may be mixed; each lands in its own day's tile (a late event recomputes that day).
 *
 * <p>Deduplication by (entity, dedupe key) needs every copy of an event in the same builder; rows
 * are held until {@link #finish} so the survivor is the first in canonical order whatever the
 * arrival order. Partial tiles from different builders merge exactly with {@link Tiles#merge}
 * when their (entity, dedupe key) sets are disjoint, for example when rows are routed to builders
 * by entity, as the Transform fan-out does.
 */
public final class TileBuilder {

  /**
   * One entity's surviving rows by dedupe key: grouping by entity first keeps the big map small.
   * Most entities have one row in a day's chunk, so the map is made only for a second row.
   */
  private static final class EntityRows {
    final Object entity;
    Object firstKey;
    Record first;
    Map<Object, Record> events;

    EntityRows(Object entity) {
      this.entity = entity;
    }

    /** The surviving rows, in no particular order (finish() groups them by day, which sorts them). */
    Iterable<Record> rows() {
      return events != null ? events.values() : List.of(first);
    }
  }

  private final Layout layout;
  private final Comparator<Record> canonical;
  private final int[] sourcePos;
  private final int[] joinOf;
  private final int[] dimPos;
  private final int[] joinKeyPos;
  private final List<Map<Object, Record>> dimensions = new ArrayList<>();
  private final Map<Object, EntityRows> byEntity = new HashMap<>();
  private long kept;
  private long rowsIn;
  private long skipped;

  /**
   * {@code dimensionRows} holds, per joined source name, that dimension's rows (in {@code
   * dimensionSchemas} order of fields); a key may appear once.
   */
  public TileBuilder(FeatureGroupSpec spec, Schema sourceSchema, Map<String, ? extends Iterable<Record>> dimensionRows,
      Map<String, Schema> dimensionSchemas) {
    this.layout = new Layout(spec);
    List<Column> slots = layout.slots();
    sourcePos = new int[slots.size()];
    joinOf = new int[slots.size()];
    dimPos = new int[slots.size()];
    for (int i = 0; i < slots.size(); i++) {
      Column c = slots.get(i);
      joinOf[i] = c.join();
      if (c.join() < 0) {
        sourcePos[i] = position(sourceSchema, c.name());
      } else {
        Join j = spec.joins().get(c.join());
        dimPos[i] = position(dimensionSchemas.get(j.source()), c.name());
      }
    }
    joinKeyPos = new int[spec.joins().size()];
    for (int j = 0; j < joinKeyPos.length; j++) {
      Join join = spec.joins().get(j);
      joinKeyPos[j] = position(sourceSchema, join.key().name());
      int keyPos = position(dimensionSchemas.get(join.source()), join.dimensionKey().name());
      Map<Object, Record> byKey = new HashMap<>();
      Iterable<Record> rows = dimensionRows.get(join.source());
      if (rows == null) {
        throw new InvalidInput("feature group " + spec.name() + " joins " + join.source()
            + " but no rows of it were given; pass that source's Bronze partition");
      }
      for (Record r : rows) {
        Object key = r.get(keyPos);
        if (key != null && byKey.putIfAbsent(key, r) != null) {
          throw new InvalidInput("dimension " + join.source() + " has key " + join.key().name() + " = " + key
              + " twice; a join needs one row per key (dedupe the dimension first)");
        }
      }
      dimensions.add(byKey);
    }
    this.canonical = canonicalOrder(sourceSchema, position(sourceSchema, spec.eventTime().name()));
  }

  private static int position(Schema schema, String column) {
    List<Types.NestedField> cols = schema.columns();
    for (int i = 0; i < cols.size(); i++) {
      if (cols.get(i).name().equals(column)) {
        return i;
      }
    }
    throw new IllegalArgumentException("[BUG] column " + column + " passed spec validation but is not in " + schema);
  }

  /** Event time, then every primitive column in schema order, nulls first: a total order on distinct rows. */
  private static Comparator<Record> canonicalOrder(Schema schema, int timePos) {
    List<Types.NestedField> cols = schema.columns();
    Comparator<Record> cmp = null;
    List<Integer> order = new ArrayList<>();
    order.add(timePos);
    for (int i = 0; i < cols.size(); i++) {
      if (i != timePos && cols.get(i).type().isPrimitiveType()) {
        order.add(i);
      }
    }
    for (int pos : order) {
      Comparator<Object> c = Comparator.nullsFirst(AccSpec.comparator(cols.get(pos).type()));
      Comparator<Record> field = (a, b) -> c.compare(a.get(pos), b.get(pos));
      cmp = cmp == null ? field : cmp.thenComparing(field);
    }
    return cmp;
  }

  public void add(Record row) {
    rowsIn++;
    Object entity = row.get(sourcePos[0]);
    Object key = row.get(sourcePos[2]);
    if (entity == null || key == null || row.get(sourcePos[1]) == null) {
      skipped++;
      return;
    }
    EntityRows e = byEntity.get(entity);
    if (e == null) {
      e = new EntityRows(entity);
      byEntity.put(entity, e);
    }
    if (e.first == null) {
      e.firstKey = key;
      e.first = row;
      kept++;
      return;
    }
    if (e.events == null) {
      if (e.firstKey.equals(key)) {
        if (canonical.compare(row, e.first) < 0) {
          e.first = row;
        }
        return;
      }
      e.events = new HashMap<>(4);
      e.events.put(e.firstKey, e.first);
    }
    Record prior = e.events.putIfAbsent(key, row);
    if (prior == null) {
      kept++;
    } else if (canonical.compare(row, prior) < 0) {
      e.events.put(key, row);
    }
  }

  public void addAll(Iterable<Record> rows) {
    for (Record r : rows) {
      add(r);
    }
  }

  /** Rows given to {@link #add}. */
  public long rowsIn() {
    return rowsIn;
  }

  /** Rows dropped as duplicates of an earlier event in canonical order. */
  public long duplicates() {
    return rowsIn - skipped - kept;
  }

  /** Rows without an entity, event time or dedupe key. */
  public long skipped() {
    return skipped;
  }

  /** The tiles, sorted by entity (Iceberg order) then day; entities with no row passing the filter have none. */
  public List<Record> finish() {
    List<EntityRows> entities = new ArrayList<>(byEntity.values());
    layout.sortByEntity(entities, e -> e.entity);
    List<Record> out = new ArrayList<>();
    Object[] projected = new Object[sourcePos.length];
    Record[] joined = new Record[joinKeyPos.length];
    for (EntityRows e : entities) {
      // A chunk of one day's Bronze gives each entity one tile: the TreeMap only for a second day.
      long firstDay = 0;
      TileState first = null;
      TreeMap<Long, TileState> days = null;
      for (Record row : e.rows()) {
        for (int j = 0; j < joined.length; j++) {
          Object k = row.get(joinKeyPos[j]);
          joined[j] = k == null ? null : dimensions.get(j).get(k);
        }
        for (int i = 0; i < projected.length; i++) {
          if (joinOf[i] < 0) {
            projected[i] = row.get(sourcePos[i]);
          } else {
            Record d = joined[joinOf[i]];
            projected[i] = d == null ? null : d.get(dimPos[i]);
          }
        }
        if (layout.passesFilter(projected)) {
          long day = Math.floorDiv(AccSpec.micros(projected[1]), 86_400_000_000L);
          if (first == null) {
            firstDay = day;
            first = layout.newState();
          }
          if (day == firstDay) {
            first.add(projected);
          } else {
            if (days == null) {
              days = new TreeMap<>();
              days.put(firstDay, first);
            }
            days.computeIfAbsent(day, d -> layout.newState()).add(projected);
          }
        }
      }
      if (days != null) {
        days.forEach((day, state) -> out.add(layout.write(e.entity, LocalDate.ofEpochDay(day), state)));
      } else if (first != null) {
        out.add(layout.write(e.entity, LocalDate.ofEpochDay(firstDay), first));
      }
    }
    return out;
  }
}
