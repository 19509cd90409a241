package dev.featurepipe.transform.engine;

import dev.featurepipe.transform.engine.FeatureGroupSpec.Derived;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Feature;
import dev.featurepipe.transform.engine.FeatureGroupSpec.OnZero;
import dev.featurepipe.transform.engine.internal.ExactMath;
import dev.featurepipe.transform.engine.internal.Layout;
import dev.featurepipe.transform.engine.internal.Layout.TileState;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Features as of date D from daily tiles: for each window, the exact merge of the entity's tiles
 * of days D-w+1..D (lifetime: every tile up to D), finished once; then derived features per
 * window; then the vector over its window. Tiles after D are ignored, so nothing later than the
 * end of D (UTC) reaches a feature.
 *
 * <p>An entity gets a row when it has a tile in the longest finite window (any tile up to D if
 * lifetime is used); windows where it had no rows give 0 (count, sum, count_distinct), an empty
 * list (top_k), all zeros (the vector) or null (the rest). Rows are sorted by entity in Iceberg
 * order. A lifetime tile merged forward day by day would give identical values (the merge is
 * exact); reading every tile keeps this class free of state between days.
 */
public final class FeatureComputer {

  private static final Comparator<Record> NEWEST_FIRST =
      Comparator.comparing((Record t) -> (LocalDate) t.get(Layout.TILE_DAY)).reversed();

  private final FeatureGroupSpec spec;
  private final Layout layout;
  /** Per derived feature, the positions of its operands among the features (the spec puts them earlier). */
  private final int[][] operands;

  public FeatureComputer(FeatureGroupSpec spec) {
    this.spec = spec;
    this.layout = new Layout(spec);
    List<String> names = spec.features().stream().map(Feature::name).toList();
    this.operands = new int[names.size()][];
    for (int f = 0; f < names.size(); f++) {
      if (spec.features().get(f) instanceof Derived d) {
        operands[f] = new int[] {names.indexOf(d.left()), names.indexOf(d.right())};
      }
    }
  }

  /** {@code <entity>, as_of, <feature>_<window>..., <vector>}, the order of {@link FeatureGroupSpec#outputFeatures()}. */
  public Schema schema() {
    return layout.featureSchema();
  }

  public static Schema schema(FeatureGroupSpec spec) {
    return new Layout(spec).featureSchema();
  }

  /** {@code tiles} in any order, of any days; only those a window of {@code asOf} covers are read. */
  public List<Record> compute(LocalDate asOf, Iterable<Record> tiles) {
    LocalDate firstFinite = asOf.minusDays(spec.longestFiniteWindowDays() - 1L);
    boolean lifetime = spec.usesLifetime();
    Map<Object, List<Record>> grouped = new HashMap<>();
    for (Record t : tiles) {
      LocalDate day = (LocalDate) t.get(Layout.TILE_DAY);
      if (day.isAfter(asOf) || (!lifetime && day.isBefore(firstFinite))) {
        continue;
      }
      Object entity = t.get(Layout.TILE_ENTITY);
      grouped.computeIfAbsent(entity, e -> new ArrayList<>()).add(t);
    }
    GenericRecord template = GenericRecord.create(layout.featureSchema());
    List<Window> windows = spec.windows();
    List<Feature> features = spec.features();
    int aggregates = spec.aggregates().size();
    // Windows nest (1d in 7d in 30d in lifetime), so one pass from the newest tile backwards merges
    // each tile once and reads every window's values as the pass crosses its first day.
    List<Window> passOrder = new ArrayList<>(windows);
    spec.vector().ifPresent(v -> passOrder.add(v.window()));
    passOrder.sort(Comparator.comparingInt(Window::days));
    List<Object> entities = new ArrayList<>(grouped.keySet());
    layout.sortByEntity(entities, e -> e);
    List<Record> out = new ArrayList<>(entities.size());
    for (Object entity : entities) {
      List<Record> entityTiles = grouped.get(entity);
      entityTiles.sort(NEWEST_FIRST);
      GenericRecord row = template.copy();
      row.set(0, entity);
      row.set(1, asOf);
      Object[][] values = new Object[windows.size()][];
      Object vectorValue = null;
      TileState state = layout.newState();
      int next = 0;
      for (Window window : passOrder) {
        LocalDate first = window.isLifetime() ? LocalDate.MIN : asOf.minusDays(window.days() - 1L);
        while (next < entityTiles.size() && !((LocalDate) entityTiles.get(next).get(Layout.TILE_DAY)).isBefore(first)) {
          layout.mergeInto(state, entityTiles.get(next++));
        }
        int w = windows.indexOf(window);
        if (w >= 0 && values[w] == null) {
          values[w] = finish(state, features);
        }
        if (spec.vector().isPresent() && spec.vector().get().window() == window) {
          vectorValue = state.result(aggregates);
        }
      }
      int pos = 2;
      for (int f = 0; f < features.size(); f++) {
        for (int w = 0; w < windows.size(); w++) {
          row.set(pos++, values[w][f]);
        }
      }
      if (spec.vector().isPresent()) {
        row.set(pos, vectorValue);
      }
      out.add(row);
    }
    return out;
  }

  /** Aggregate results of {@code state} and derived features, in declared order. */
  private Object[] finish(TileState state, List<Feature> features) {
    Object[] v = new Object[features.size()];
    int agg = 0;
    for (int f = 0; f < features.size(); f++) {
      v[f] = features.get(f) instanceof Derived d ? derive(d, v[operands[f][0]], v[operands[f][1]])
          : state.result(agg++);
    }
    return v;
  }

  private static Object derive(Derived d, Object left, Object right) {
    if (left == null || right == null) {
      return null;
    }
    if (left instanceof Long l && right instanceof Long r) {
      // Counts and integral sums: the same values as the exact path below, without BigDecimals.
      return switch (d.op()) {
        case RATIO -> r == 0 ? (d.onZero() == OnZero.ZERO ? (Object) 0.0 : null) : (Object) ExactMath.divideToDouble(l, r);
        case DIFFERENCE -> d.outputType().typeId() == Type.TypeID.LONG ? (Object) Math.subtractExact(l, r)
            : difference(d.outputType(), BigDecimal.valueOf(l), BigDecimal.valueOf(r));
      };
    }
    BigDecimal l = exact(left);
    BigDecimal r = exact(right);
    return switch (d.op()) {
      case RATIO -> r.signum() == 0 ? (d.onZero() == OnZero.ZERO ? (Object) 0.0 : null)
          : ExactMath.divideToDouble(ExactMath.numerator(l).multiply(ExactMath.denominator(r)),
              ExactMath.denominator(l).multiply(ExactMath.numerator(r)));
      case DIFFERENCE -> difference(d.outputType(), l, r);
    };
  }

  private static Object difference(Type type, BigDecimal l, BigDecimal r) {
    BigDecimal diff = l.subtract(r);
    return switch (type.typeId()) {
      case LONG -> diff.longValueExact();
      case DECIMAL -> diff.setScale(((Types.DecimalType) type).scale());
      case DOUBLE -> ExactMath.divideToDouble(ExactMath.numerator(diff), ExactMath.denominator(diff));
      default -> throw new IllegalStateException("[BUG] difference of type " + type);
    };
  }

  private static BigDecimal exact(Object v) {
    return switch (v) {
      case BigDecimal b -> b;
      case Long l -> BigDecimal.valueOf(l);
      case Integer i -> BigDecimal.valueOf(i);
      case Double x -> new BigDecimal(x);
      case Float x -> new BigDecimal(x);
      default -> throw new IllegalStateException("[BUG] derived feature over " + v.getClass().getName());
    };
  }
}
