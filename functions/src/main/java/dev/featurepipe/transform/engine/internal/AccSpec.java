package dev.featurepipe.transform.engine.internal;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Agg;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Aggregate;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Normalize;
import dev.featurepipe.transform.engine.FeatureGroupSpec.VectorSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Comparators;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.types.Types.NestedField;

/**
 * One aggregate's partial state: how it is built from rows, stored in a tile, merged and finished.
 * Every state is exact (integer counts and sums, sorted sets, maxima under a total order), so
 * {@link State#merge} is associative and commutative and a finished value never depends on how
 * rows were split or ordered. Tile field ids are placeholders; {@link Layout} assigns the real ones.
 */
public abstract sealed class AccSpec permits AccSpec.Count, AccSpec.Moments, AccSpec.Extreme, AccSpec.Distinct,
    AccSpec.Last, AccSpec.TopK, AccSpec.Vector {

  final String name;
  final RowPredicate where;

  AccSpec(String name, RowPredicate where) {
    this.name = name;
    this.where = where;
  }

  /** The tile fields this state occupies, named {@code <feature>__<part>}, in order. */
  abstract List<NestedField> tileFields();

  abstract State newState();

  public abstract class State {
    final void offer(Object[] row) {
      if (where == null || where.test(row)) {
        add(row);
      }
    }

    abstract void add(Object[] row);

    abstract void merge(State other);

    /** Writes {@code tileFields().size()} values from position {@code pos}. */
    abstract void write(Record tile, int pos);

    /** Merges the state stored in a tile from position {@code pos} into this one. */
    abstract void read(Record tile, int pos);

    /** The feature value over the rows merged into this state. */
    abstract Object result();
  }

  /** Iceberg's order for a primitive type: strings by code point (UTF-8 byte order), numbers and times naturally. */
  public static Comparator<Object> comparator(Type t) {
    if (t.typeId() == Type.TypeID.STRING) {
      return CodePointOrder.INSTANCE;
    }
    return Comparators.forType(t.asPrimitiveType());
  }

  /** Microseconds since the epoch of a timestamp value (UTC for one without zone). */
  public static long micros(Object time) {
    if (time instanceof OffsetDateTime o) {
      return Math.addExact(Math.multiplyExact(o.toEpochSecond(), 1_000_000L), o.getNano() / 1000);
    }
    if (time instanceof LocalDateTime l) {
      return Math.addExact(Math.multiplyExact(l.toEpochSecond(ZoneOffset.UTC), 1_000_000L), l.getNano() / 1000);
    }
    throw new IllegalStateException("[BUG] event time of class " + time.getClass().getName());
  }

  static Object timeValue(long micros, Type type) {
    OffsetDateTime t = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).plus(micros, ChronoUnit.MICROS);
    return ((Types.TimestampType) type).shouldAdjustToUTC() ? t : t.toLocalDateTime();
  }

  /** count: rows, or non-null values of a column. */
  static final class Count extends AccSpec {
    private final int slot;

    Count(Aggregate a, int slot, RowPredicate where) {
      super(a.name(), where);
      this.slot = slot;
    }

    @Override
    List<NestedField> tileFields() {
      return List.of(required(0, name + "__n", Types.LongType.get()));
    }

    @Override
    State newState() {
      return new S();
    }

    final class S extends State {
      long n;

      @Override
      void add(Object[] row) {
        if (slot < 0 || row[slot] != null) {
          n++;
        }
      }

      @Override
      void merge(State o) {
        n = Math.addExact(n, ((S) o).n);
      }

      @Override
      void write(Record t, int pos) {
        t.set(pos, n);
      }

      @Override
      void read(Record t, int pos) {
        n = Math.addExact(n, (Long) t.get(pos));
      }

      @Override
      Object result() {
        return n;
      }
    }
  }

  /**
   * sum, mean and stddev: the non-null count, the exact sum and (stddev) the exact sum of squares.
   * Integral and decimal values are summed as unscaled integers (a long until it overflows, then a
   * BigInteger); floats and doubles as exact BigDecimals of their binary values. Each finished
   * value is rounded once, from the exact sums.
   */
  static final class Moments extends AccSpec {
    private final Agg agg;
    private final NumericKind kind;
    private final int scale;
    private final int slot;
    private final int timesSlot;
    private final Type outputType;

    Moments(Aggregate a, int slot, int timesSlot, RowPredicate where) {
      super(a.name(), where);
      this.agg = a.agg();
      Type t = a.column().orElseThrow().type();
      this.kind = NumericKind.of(t);
      this.scale = NumericKind.scale(t);
      this.slot = slot;
      this.timesSlot = timesSlot;
      this.outputType = a.outputType();
    }

    @Override
    List<NestedField> tileFields() {
      List<NestedField> out = new ArrayList<>();
      if (agg != Agg.SUM) {
        out.add(required(0, name + "__n", Types.LongType.get()));
      }
      out.add(required(0, name + "__sum", switch (kind) {
        case INTEGRAL -> Types.LongType.get();
        case DECIMAL -> Types.DecimalType.of(38, scale);
        case FLOATING -> Types.StringType.get();
      }));
      if (agg == Agg.STDDEV) {
        out.add(required(0, name + "__sum_sq", switch (kind) {
          case INTEGRAL -> Types.DecimalType.of(38, 0);
          case DECIMAL -> Types.DecimalType.of(38, 2 * scale);
          case FLOATING -> Types.StringType.get();
        }));
      }
      return out;
    }

    @Override
    State newState() {
      return new S();
    }

    private long unscaled(Object v) {
      if (kind == NumericKind.INTEGRAL) {
        return ((Number) v).longValue();
      }
      BigDecimal d = (BigDecimal) v;
      if (d.scale() != scale) {
        d = d.setScale(scale);
      }
      return d.unscaledValue().longValueExact();
    }

    private BigDecimal exact(Object v) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        throw new InvalidInput(name + ": " + d + " cannot be summed exactly; filter non-finite values out");
      }
      return new BigDecimal(d);
    }

    final class S extends State {
      long n;
      final ExactSum sum = new ExactSum();
      final ExactSum sumSq = agg == Agg.STDDEV ? new ExactSum() : null;
      BigDecimal fsum = BigDecimal.ZERO;
      BigDecimal fsumSq = BigDecimal.ZERO;

      @Override
      void add(Object[] row) {
        Object v = row[slot];
        Object times = timesSlot < 0 ? null : row[timesSlot];
        if (v == null || (timesSlot >= 0 && times == null)) {
          return;
        }
        n++;
        if (kind == NumericKind.FLOATING) {
          BigDecimal x = exact(v);
          if (times != null) {
            x = x.multiply(BigDecimal.valueOf(((Number) times).longValue()));
          }
          fsum = fsum.add(x);
          if (agg == Agg.STDDEV) {
            fsumSq = fsumSq.add(x.multiply(x));
          }
          return;
        }
        long x = unscaled(v);
        if (times != null) {
          sum.addProduct(x, ((Number) times).longValue());
        } else {
          sum.add(x);
        }
        if (agg == Agg.STDDEV) {
          sumSq.addProduct(x, x);
        }
      }

      @Override
      void merge(State other) {
        S o = (S) other;
        n = Math.addExact(n, o.n);
        sum.merge(o.sum);
        if (sumSq != null) {
          sumSq.merge(o.sumSq);
        }
        fsum = fsum.add(o.fsum);
        fsumSq = fsumSq.add(o.fsumSq);
      }

      @Override
      void write(Record t, int pos) {
        if (agg != Agg.SUM) {
          t.set(pos++, n);
        }
        t.set(pos++, switch (kind) {
          case INTEGRAL -> longSum();
          case DECIMAL -> decimal38(sum, scale);
          case FLOATING -> fsum.toString();
        });
        if (agg == Agg.STDDEV) {
          t.set(pos, kind == NumericKind.FLOATING ? fsumSq.toString() : decimal38(sumSq.value(), 2 * scale));
        }
      }

      @Override
      void read(Record t, int pos) {
        if (agg != Agg.SUM) {
          n = Math.addExact(n, (Long) t.get(pos++));
        }
        Object s = t.get(pos++);
        switch (kind) {
          case INTEGRAL -> sum.add((Long) s);
          case DECIMAL -> sum.add(((BigDecimal) s).setScale(scale).unscaledValue());
          case FLOATING -> fsum = fsum.add(new BigDecimal((String) s));
        }
        if (agg == Agg.STDDEV) {
          Object q = t.get(pos);
          if (kind == NumericKind.FLOATING) {
            fsumSq = fsumSq.add(new BigDecimal((String) q));
          } else {
            sumSq.add(((BigDecimal) q).setScale(2 * scale).unscaledValue());
          }
        }
      }

      private long longSum() {
        if (!sum.fitsLong()) {
          throw new InvalidInput(name + ": the sum " + sum.value() + " does not fit a long; declare the column as"
              + " decimal, or filter the outliers");
        }
        return sum.longValueExact();
      }

      private BigDecimal exactSum() {
        return kind == NumericKind.FLOATING ? fsum : new BigDecimal(sum.value(), scale);
      }

      @Override
      Object result() {
        return switch (agg) {
          case SUM -> switch (kind) {
            case INTEGRAL -> longSum();
            case DECIMAL -> decimal38(sum, ((Types.DecimalType) outputType).scale());
            case FLOATING -> ExactMath.divideToDouble(ExactMath.numerator(fsum), ExactMath.denominator(fsum));
          };
          case MEAN -> {
            if (n == 0) {
              yield null;
            }
            BigDecimal s = exactSum();
            yield ExactMath.divideToDouble(ExactMath.numerator(s),
                ExactMath.denominator(s).multiply(BigInteger.valueOf(n)));
          }
          case STDDEV -> {
            if (n < 2) {
              yield null;
            }
            // Sample variance (n - 1), as DuckDB's and SQL's stddev: (n*S2 - S1^2) / (n(n-1)), exact.
            BigDecimal s1 = exactSum();
            BigDecimal s2 = kind == NumericKind.FLOATING ? fsumSq : new BigDecimal(sumSq.value(), 2 * scale);
            BigDecimal num = s2.multiply(BigDecimal.valueOf(n)).subtract(s1.multiply(s1));
            BigInteger den = BigInteger.valueOf(n).multiply(BigInteger.valueOf(n - 1));
            yield ExactMath.sqrtToDouble(ExactMath.numerator(num), ExactMath.denominator(num).multiply(den));
          }
          default -> throw new IllegalStateException("[BUG] moments for " + agg);
        };
      }
    }
  }

  /** A sum that fits a long has at most 19 digits, within decimal(38): no BigInteger needed. */
  static BigDecimal decimal38(ExactSum sum, int scale) {
    return sum.fitsLongCheaply() ? BigDecimal.valueOf(sum.longValueExact(), scale) : decimal38(sum.value(), scale);
  }

  static BigDecimal decimal38(BigInteger unscaled, int scale) {
    BigDecimal d = new BigDecimal(unscaled, scale);
    if (d.precision() > 38) {
      throw new InvalidInput("exact sum " + d.toPlainString() + " exceeds decimal(38, " + scale + ")");
    }
    return d;
  }

  /** min or max under Iceberg's order for the column type (strings by code point). */
  static final class Extreme extends AccSpec {
    private final boolean max;
    private final int slot;
    private final Type type;
    private final Comparator<Object> cmp;

    Extreme(Aggregate a, int slot, RowPredicate where) {
      super(a.name(), where);
      this.max = a.agg() == Agg.MAX;
      this.slot = slot;
      this.type = a.column().orElseThrow().type();
      this.cmp = comparator(type);
    }

    @Override
    List<NestedField> tileFields() {
      return List.of(optional(0, name + (max ? "__max" : "__min"), type));
    }

    @Override
    State newState() {
      return new S();
    }

    final class S extends State {
      Object v;

      private void offerValue(Object x) {
        if (x != null && (v == null || (max ? cmp.compare(x, v) > 0 : cmp.compare(x, v) < 0))) {
          v = x;
        }
      }

      @Override
      void add(Object[] row) {
        offerValue(row[slot]);
      }

      @Override
      void merge(State o) {
        offerValue(((S) o).v);
      }

      @Override
      void write(Record t, int pos) {
        t.set(pos, v);
      }

      @Override
      void read(Record t, int pos) {
        offerValue(t.get(pos));
      }

      @Override
      Object result() {
        return v;
      }
    }
  }

  /**
   * Whether values of {@code t} can be kept in hash structures and sorted only when written:
   * strings, ints and longs, whose {@code equals} agrees with their order's ties. Others (decimals
   * of another scale, -0.0, NaN) keep a sorted structure, whose ties are the order's.
   */
  static boolean hashable(Type t) {
    return switch (t.typeId()) {
      case STRING, INTEGER, LONG -> true;
      default -> false;
    };
  }

  /** A string value as a {@link String}, so that hashing and equality agree with code point order. */
  static Object hashKey(Object v) {
    return v instanceof CharSequence cs && !(v instanceof String) ? cs.toString() : v;
  }

  /**
   * count_distinct: the set of non-null values, stored sorted. A hash set for strings, ints and
   * longs (a TreeSet's comparisons were most of the window merge of a popular product's users),
   * sorted once when a tile is written.
   */
  static final class Distinct extends AccSpec {
    private final int slot;
    private final Type type;
    private final Comparator<Object> cmp;
    private final boolean hashable;

    Distinct(Aggregate a, int slot, RowPredicate where) {
      super(a.name(), where);
      this.slot = slot;
      this.type = a.column().orElseThrow().type();
      this.cmp = comparator(type);
      this.hashable = hashable(type);
    }

    @Override
    List<NestedField> tileFields() {
      return List.of(required(0, name + "__values", Types.ListType.ofRequired(0, type)));
    }

    @Override
    State newState() {
      return new S();
    }

    final class S extends State {
      final Set<Object> values = hashable ? new HashSet<>(4) : new TreeSet<>(cmp);

      @Override
      void add(Object[] row) {
        if (row[slot] != null) {
          values.add(hashKey(row[slot]));
        }
      }

      @Override
      void merge(State o) {
        values.addAll(((S) o).values);
      }

      @Override
      void write(Record t, int pos) {
        List<Object> sorted = new ArrayList<>(values);
        if (hashable) {
          sorted.sort(cmp);
        }
        t.set(pos, sorted);
      }

      @Override
      void read(Record t, int pos) {
        for (Object v : (List<?>) t.get(pos)) {
          values.add(hashKey(v));
        }
      }

      @Override
      Object result() {
        return (long) values.size();
      }
    }
  }

  /**
   * last: the non-null value of the row with the greatest (event time, dedupe key). Within an
   * entity the dedupe key is unique after deduplication, so the order is total.
   */
  static final class Last extends AccSpec {
    private final int slot;
    private final int timeSlot;
    private final int keySlot;
    private final Type type;
    private final Type timeType;
    private final Type keyType;
    private final Comparator<Object> keyCmp;

    Last(Aggregate a, int slot, int timeSlot, int keySlot, Type timeType, Type keyType, RowPredicate where) {
      super(a.name(), where);
      this.slot = slot;
      this.timeSlot = timeSlot;
      this.keySlot = keySlot;
      this.type = a.column().orElseThrow().type();
      this.timeType = timeType;
      this.keyType = keyType;
      this.keyCmp = comparator(keyType);
    }

    @Override
    List<NestedField> tileFields() {
      return List.of(optional(0, name + "__time", timeType), optional(0, name + "__key", keyType),
          optional(0, name + "__value", type));
    }

    @Override
    State newState() {
      return new S();
    }

    final class S extends State {
      boolean present;
      long micros;
      Object key;
      Object value;

      private void offerValue(long m, Object k, Object v) {
        if (v == null) {
          return;
        }
        if (!present || m > micros || (m == micros && keyCmp.compare(k, key) > 0)) {
          present = true;
          micros = m;
          key = k;
          value = v;
        }
      }

      @Override
      void add(Object[] row) {
        if (row[slot] != null) {
          offerValue(micros(row[timeSlot]), row[keySlot], row[slot]);
        }
      }

      @Override
      void merge(State other) {
        S o = (S) other;
        if (o.present) {
          offerValue(o.micros, o.key, o.value);
        }
      }

      @Override
      void write(Record t, int pos) {
        t.set(pos, present ? timeValue(micros, timeType) : null);
        t.set(pos + 1, key);
        t.set(pos + 2, value);
      }

      @Override
      void read(Record t, int pos) {
        Object time = t.get(pos);
        if (time != null) {
          offerValue(micros(time), t.get(pos + 1), t.get(pos + 2));
        }
      }

      @Override
      Object result() {
        return value;
      }
    }
  }

  /**
   * top_k: the count of every non-null value; the result is the k most frequent as (value, count),
   * count descending, then value ascending.
   */
  static final class TopK extends AccSpec {
    private final int slot;
    private final int k;
    private final Type type;
    private final Types.StructType entryType;
    private final Comparator<Object> cmp;
    private final boolean hashable;

    TopK(Aggregate a, int slot, RowPredicate where) {
      super(a.name(), where);
      this.slot = slot;
      this.k = a.k();
      this.type = a.column().orElseThrow().type();
      this.entryType = ((Types.ListType) a.outputType()).elementType().asStructType();
      this.cmp = comparator(type);
      this.hashable = hashable(type);
    }

    @Override
    List<NestedField> tileFields() {
      return List.of(required(0, name + "__counts", Types.MapType.ofRequired(0, 0, type, Types.LongType.get())));
    }

    @Override
    State newState() {
      return new S();
    }

    final class S extends State {
      // Hashed like Distinct's values; write() and result() put them in order.
      final Map<Object, long[]> counts = hashable ? new HashMap<>(4) : new TreeMap<>(cmp);

      private void count(Object v, long c) {
        long[] cell = counts.computeIfAbsent(hashKey(v), x -> new long[1]);
        cell[0] = Math.addExact(cell[0], c);
      }

      @Override
      void add(Object[] row) {
        if (row[slot] != null) {
          count(row[slot], 1);
        }
      }

      @Override
      void merge(State o) {
        ((S) o).counts.forEach((v, c) -> count(v, c[0]));
      }

      @Override
      void write(Record t, int pos) {
        TreeMap<Object, Long> out = new TreeMap<>(cmp);
        counts.forEach((v, c) -> out.put(v, c[0]));
        t.set(pos, out);
      }

      @Override
      void read(Record t, int pos) {
        ((Map<?, ?>) t.get(pos)).forEach((v, c) -> count(v, (Long) c));
      }

      @Override
      Object result() {
        List<Map.Entry<Object, long[]>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> a.getValue()[0] != b.getValue()[0]
            ? Long.compare(b.getValue()[0], a.getValue()[0]) : cmp.compare(a.getKey(), b.getKey()));
        List<Record> out = new ArrayList<>();
        for (Map.Entry<Object, long[]> e : entries.subList(0, Math.min(k, entries.size()))) {
          GenericRecord r = GenericRecord.create(entryType);
          r.set(0, e.getKey());
          r.set(1, e.getValue()[0]);
          out.add(r);
        }
        return out;
      }
    }
  }

  /** The vector: counts per vocabulary entry (in vocabulary order), finished as float32. */
  static final class Vector extends AccSpec {
    private final int slot;
    private final List<String> vocabulary;
    private final Map<String, Integer> index = new HashMap<>();
    private final Normalize normalize;

    Vector(VectorSpec v, int slot, RowPredicate where) {
      super(v.name(), where);
      this.slot = slot;
      this.vocabulary = v.vocabulary();
      for (int i = 0; i < vocabulary.size(); i++) {
        index.put(vocabulary.get(i), i);
      }
      this.normalize = v.normalize();
    }

    @Override
    List<NestedField> tileFields() {
      return List.of(required(0, name + "__counts", Types.ListType.ofRequired(0, Types.LongType.get())));
    }

    @Override
    State newState() {
      return new S();
    }

    final class S extends State {
      final long[] counts = new long[vocabulary.size()];

      @Override
      void add(Object[] row) {
        Object v = row[slot];
        Integer i = v == null ? null : index.get(v.toString());
        if (i != null) {
          counts[i]++;
        }
      }

      @Override
      void merge(State other) {
        long[] o = ((S) other).counts;
        for (int i = 0; i < counts.length; i++) {
          counts[i] = Math.addExact(counts[i], o[i]);
        }
      }

      @Override
      void write(Record t, int pos) {
        List<Long> out = new ArrayList<>(counts.length);
        for (long c : counts) {
          out.add(c);
        }
        t.set(pos, out);
      }

      @Override
      void read(Record t, int pos) {
        List<?> in = (List<?>) t.get(pos);
        if (in.size() != counts.length) {
          throw new IllegalStateException("[BUG] tile vector of " + in.size() + " counts for a vocabulary of "
              + counts.length);
        }
        for (int i = 0; i < counts.length; i++) {
          counts[i] = Math.addExact(counts[i], (Long) in.get(i));
        }
      }

      @Override
      Object result() {
        long total = 0;
        for (long c : counts) {
          total = Math.addExact(total, c);
        }
        List<Float> out = new ArrayList<>(counts.length);
        for (long c : counts) {
          out.add(normalize == Normalize.NONE ? (float) c
              : total == 0 ? 0.0f : ExactMath.divideToFloat(c, total));
        }
        return out;
      }
    }
  }
}
