package dev.featurepipe.transform.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.transform.engine.internal.SpecParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * One feature group at one version, parsed from a {@code feature_groups[]} entry of {@code
 * config/pipeline.yaml} and resolved against its source's Bronze schema (and the dimension sources
 * it joins), so every column below has a known type. Output columns are {@code <feature>_<window>}
 * with features outer and windows inner, in declared order ({@code views_1d, views_7d, revenue_1d,
 * ...}), then the vector: see {@link #outputFeatures()}.
 *
 * <p>Row semantics, in this order: rows with a null entity or dedupe key are skipped; duplicates by
 * ({@code entity}, {@code dedupe_by}) are dropped keeping the first in canonical row order ({@code
 * event_time}, then every source column in schema order, nulls first), so the survivor does not
 * depend on file or chunk order; dimension columns are joined by key (a missing key gives nulls);
 * then the group {@code filter} applies. Each row belongs to the UTC day of its {@code event_time}.
 */
public record FeatureGroupSpec(
    String name,
    int version,
    String source,
    Column entity,
    Column eventTime,
    Column dedupeBy,
    List<Join> joins,
    Optional<ValueFilter> filter,
    List<Window> windows,
    List<Feature> features,
    Optional<VectorSpec> vector) {

  public FeatureGroupSpec {
    joins = List.copyOf(joins);
    windows = List.copyOf(windows);
    features = List.copyOf(features);
    Objects.requireNonNull(filter);
    Objects.requireNonNull(vector);
  }

  /**
   * Parses one {@code feature_groups[]} entry. Every violation is collected and thrown together as
   * one {@link ConfigInvalid}, one line each: {@code feature_groups[<name>].<path>: <rule>, got
   * <value>} and what to do. {@code retainedDays} is how many days of Bronze the lake keeps: a
   * finite window longer than that could not be recomputed, so it is rejected.
   */
  public static FeatureGroupSpec parse(JsonNode group, Schema sourceSchema, Map<String, Schema> dimensionSchemas,
      int retainedDays) {
    return SpecParser.parse(group, sourceSchema, dimensionSchemas, retainedDays);
  }

  /** {@code user_activity_v1}: Silver table, DynamoDB sort key. */
  public String versionedName() {
    return name + "_v" + version;
  }

  /** The longest finite window (the vector's included), in days; lifetime is not counted. */
  public int longestFiniteWindowDays() {
    int days = 1;
    for (Window w : windows) {
      if (!w.isLifetime()) {
        days = Math.max(days, w.days());
      }
    }
    if (vector.isPresent() && !vector.get().window().isLifetime()) {
      days = Math.max(days, vector.get().window().days());
    }
    return days;
  }

  public boolean usesLifetime() {
    return windows.contains(Window.LIFETIME) || vector.map(v -> v.window().isLifetime()).orElse(false);
  }

  /** The aggregate features, in declared order (derived ones are computed from these per window). */
  public List<Aggregate> aggregates() {
    return features.stream().filter(Aggregate.class::isInstance).map(Aggregate.class::cast).toList();
  }

  /**
   * The feature columns in output order, with their Iceberg types: what {@code meta} records. The
   * feature row schema is {@code entity, as_of}, then these.
   */
  public List<OutputFeature> outputFeatures() {
    List<OutputFeature> out = new ArrayList<>();
    for (Feature f : features) {
      for (Window w : windows) {
        out.add(new OutputFeature(f.name() + "_" + w.label(), f.name(), w, f.outputType()));
      }
    }
    vector.ifPresent(v -> out.add(new OutputFeature(v.name(), v.name(), v.window(), v.outputType())));
    return List.copyOf(out);
  }

  /** A resolved column: in the source ({@code join == -1}) or in {@code joins().get(join)}. */
  public record Column(String name, Type type, int join) {
    public Column {
      Objects.requireNonNull(name);
      Objects.requireNonNull(type);
    }
  }

  /** Dimension columns looked up by {@code key} (same name in the source and the dimension). */
  public record Join(String source, Column key, Column dimensionKey, List<Column> columns) {
    public Join {
      columns = List.copyOf(columns);
    }
  }

  /** Keeps rows whose {@code column} equals one of {@code values} (already of the column's Java type); null never matches. */
  public record ValueFilter(Column column, List<Object> values) {
    public ValueFilter {
      values = List.copyOf(values);
    }
  }

  public enum Agg {
    COUNT("count"), SUM("sum"), MEAN("mean"), MIN("min"), MAX("max"), COUNT_DISTINCT("count_distinct"),
    LAST("last"), STDDEV("stddev"), TOP_K("top_k");

    private final String label;

    Agg(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public enum DerivedOp { RATIO, DIFFERENCE }

  /** What a ratio gives when its denominator is zero. */
  public enum OnZero { NULL, ZERO }

  public enum Normalize { NONE, L1 }

  /** An aggregate or a feature derived from earlier ones. */
  public sealed interface Feature permits Aggregate, Derived {
    String name();

    Type outputType();
  }

  /**
   * {@code agg} over {@code column} (absent only for {@code count}, which then counts rows; with a
   * column it counts non-null values), of rows passing {@code where}. {@code times} multiplies each
   * value for {@code sum} ({@code price x quantity}). Empty-window results: count, sum and
   * count_distinct give 0, top_k an empty list, the others null. Nulls are skipped by every
   * aggregate.
   */
  public record Aggregate(String name, Agg agg, Optional<Column> column, Optional<Column> times,
      Optional<ValueFilter> where, int k, Type outputType) implements Feature {}

  /**
   * {@code left / right} (a double, the exact quotient rounded once; {@code on_zero} when right is
   * 0) or {@code left - right} (exact: long if both are longs, decimal if both are exact, else
   * double). Null when either side is null.
   */
  public record Derived(String name, DerivedOp op, String left, String right, OnZero onZero, Type outputType)
      implements Feature {}

  /**
   * A fixed-length float32 vector, one element per vocabulary entry in vocabulary order: the count
   * of rows (passing {@code where}) whose {@code column} equals the entry, over {@code window}; L1
   * normalized when asked (all zeros when there are none). Values outside the vocabulary are
   * ignored.
   */
  public record VectorSpec(String name, Column column, List<String> vocabulary, Normalize normalize, Window window,
      Optional<ValueFilter> where) {
    public VectorSpec {
      vocabulary = List.copyOf(vocabulary);
    }

    public Type outputType() {
      return Types.ListType.ofRequired(0, Types.FloatType.get());
    }
  }

  /** One output column: {@code column = feature + "_" + window}, or the vector's name. */
  public record OutputFeature(String column, String feature, Window window, Type type) {}
}
