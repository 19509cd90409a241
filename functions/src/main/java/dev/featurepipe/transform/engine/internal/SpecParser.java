package dev.featurepipe.transform.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.transform.engine.FeatureGroupSpec;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Agg;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Aggregate;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Column;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Derived;
import dev.featurepipe.transform.engine.FeatureGroupSpec.DerivedOp;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Feature;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Join;
import dev.featurepipe.transform.engine.FeatureGroupSpec.Normalize;
import dev.featurepipe.transform.engine.FeatureGroupSpec.OnZero;
import dev.featurepipe.transform.engine.FeatureGroupSpec.ValueFilter;
import dev.featurepipe.transform.engine.FeatureGroupSpec.VectorSpec;
import dev.featurepipe.transform.engine.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Strict, collect-everything parser behind {@link FeatureGroupSpec#parse}. Each problem is one line
 * {@code feature_groups[<name>].<path>: <rule>, got <value>} followed by the fix where there is
 * one; parsing goes on after a problem so one load reports them all.
 */
public final class SpecParser {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static final int MAX_TOP_K = 1000;
  private static final int MAX_VOCABULARY = 4096;

  private static final Set<String> GROUP_FIELDS = new TreeSet<>(List.of("name", "version", "entity", "source",
      "event_time", "dedupe_by", "joins", "filter", "windows", "features", "vector",
      // Owned by config.FeatureGroupConfig (Silver layout, online store, quality rules), read there.
      "buckets", "online_ttl_days", "quality"));
  private static final Set<String> JOIN_FIELDS = new TreeSet<>(List.of("source", "key", "columns"));
  private static final Set<String> FILTER_FIELDS = new TreeSet<>(List.of("column", "in"));
  private static final Set<String> AGG_FIELDS = new TreeSet<>(List.of("name", "agg", "column", "times", "where", "k"));
  private static final Set<String> RATIO_FIELDS = new TreeSet<>(List.of("name", "ratio", "on_zero"));
  private static final Set<String> DIFFERENCE_FIELDS = new TreeSet<>(List.of("name", "difference"));
  private static final Set<String> VECTOR_FIELDS =
      new TreeSet<>(List.of("name", "column", "vocabulary", "normalize", "window", "where"));

  private final List<String> problems = new ArrayList<>();
  private final String at;
  private final Schema source;
  private final String sourceName;
  private final Map<String, Schema> dimensions;
  private final int retainedDays;
  private final List<Join> joins = new ArrayList<>();

  private SpecParser(String at, Schema source, String sourceName, Map<String, Schema> dimensions, int retainedDays) {
    this.at = at;
    this.source = source;
    this.sourceName = sourceName;
    this.dimensions = dimensions;
    this.retainedDays = retainedDays;
  }

  public static FeatureGroupSpec parse(JsonNode node, Schema sourceSchema, Map<String, Schema> dimensionSchemas,
      int retainedDays) {
    if (node == null || !node.isObject()) {
      throw new ConfigInvalid("feature_groups[?]: must be a mapping with name, version, entity, ..., got "
          + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(Locale.ROOT)));
    }
    String name = node.path("name").isTextual() ? node.get("name").asText() : "?";
    String srcName = node.path("source").isTextual() ? node.get("source").asText() : "?";
    SpecParser p = new SpecParser("feature_groups[" + name + "]", sourceSchema, srcName,
        new TreeMap<>(dimensionSchemas), retainedDays);
    FeatureGroupSpec spec = p.group(node);
    if (!p.problems.isEmpty()) {
      throw new ConfigInvalid(String.join("\n", p.problems));
    }
    return spec;
  }

  private void problem(String path, String text) {
    problems.add(at + (path.isEmpty() ? "" : "." + path) + ": " + text);
  }

  private FeatureGroupSpec group(JsonNode n) {
    unknownFields("", n, GROUP_FIELDS);
    String name = text(n, "", "name");
    if (name != null && !NAME.matcher(name).matches()) {
      problem("name", "must match " + NAME.pattern() + " (it names Silver tables and columns), got " + name);
    }
    int version = 0;
    if (!n.path("version").canConvertToInt() || !n.path("version").isIntegralNumber() || n.get("version").asInt() < 1) {
      problem("version", "must be an integer >= 1 (a changed definition is a new version), got " + show(n.get("version")));
    } else {
      version = n.get("version").asInt();
    }
    text(n, "", "source");
    Column entity = sourceColumn(n, "entity", Set.of(Type.TypeID.STRING, Type.TypeID.INTEGER, Type.TypeID.LONG));
    Column eventTime = sourceColumn(n, "event_time", Set.of(Type.TypeID.TIMESTAMP));
    Column dedupe = sourceColumn(n, "dedupe_by", Set.of(Type.TypeID.STRING, Type.TypeID.INTEGER, Type.TypeID.LONG));

    JsonNode joinsNode = n.get("joins");
    if (joinsNode != null && !joinsNode.isArray()) {
      problem("joins", "must be a list of {source, key, columns}, got " + show(joinsNode));
    } else if (joinsNode != null) {
      for (int i = 0; i < joinsNode.size(); i++) {
        join(joinsNode.get(i), "joins[" + i + "]", i);
      }
    }
    Optional<ValueFilter> filter = n.has("filter") ? filter(n.get("filter"), "filter") : Optional.empty();
    List<Window> windows = windows(n);

    List<Feature> features = new ArrayList<>();
    Map<String, Feature> byName = new LinkedHashMap<>();
    JsonNode fs = n.get("features");
    if (fs == null || !fs.isArray() || fs.isEmpty()) {
      problem("features", "must be a non-empty list of {name, agg, ...} or {name, ratio|difference, ...}, got "
          + show(fs));
    } else {
      for (int i = 0; i < fs.size(); i++) {
        Feature f = feature(fs.get(i), "features[" + i + "]", byName);
        if (f != null) {
          if (byName.containsKey(f.name())) {
            problem("features[" + i + "].name", "duplicate feature name, got " + f.name() + "; names must be unique");
          } else {
            byName.put(f.name(), f);
            features.add(f);
          }
        }
      }
    }
    Optional<VectorSpec> vector = n.has("vector") ? vector(n.get("vector")) : Optional.empty();

    Set<String> columns = new TreeSet<>();
    if (entity != null) {
      columns.add(entity.name());
    }
    columns.add("as_of");
    for (Feature f : features) {
      for (Window w : windows) {
        String col = f.name() + "_" + w.label();
        if (!columns.add(col)) {
          problem("features", "output column " + col + " is produced twice, got features and windows that collide;"
              + " rename the feature");
        }
      }
    }
    if (vector.isPresent() && !columns.add(vector.get().name())) {
      problem("vector.name", "collides with another output column, got " + vector.get().name());
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return new FeatureGroupSpec(name, version, sourceName, entity, eventTime, dedupe, joins, filter, windows, features,
        vector);
  }

  private List<Window> windows(JsonNode n) {
    List<Window> out = new ArrayList<>();
    JsonNode ws = n.get("windows");
    if (ws == null || !ws.isArray() || ws.isEmpty()) {
      problem("windows", "must be a non-empty list of " + String.join(", ", Window.labels()) + ", got " + show(ws));
      return out;
    }
    for (int i = 0; i < ws.size(); i++) {
      Window w = window(ws.get(i), "windows[" + i + "]");
      if (w != null && out.contains(w)) {
        problem("windows[" + i + "]", "duplicate window, got " + w.label());
      } else if (w != null) {
        out.add(w);
      }
    }
    return out;
  }

  private Window window(JsonNode node, String path) {
    Optional<Window> w = node != null && node.isTextual() ? Window.of(node.asText()) : Optional.empty();
    if (w.isEmpty()) {
      problem(path, "must be one of " + String.join(", ", Window.labels()) + ", got " + show(node));
      return null;
    }
    if (!w.get().isLifetime() && w.get().days() > retainedDays) {
      problem(path, "window longer than the " + retainedDays + " days of retained Bronze data, got " + w.get().label()
          + "; use a window of at most " + retainedDays + " days or lifetime (kept in tiles)");
      return null;
    }
    return w.get();
  }

  private void join(JsonNode j, String path, int index) {
    if (j == null || !j.isObject()) {
      problem(path, "must be {source, key, columns}, got " + show(j));
      return;
    }
    unknownFields(path, j, JOIN_FIELDS);
    String src = text(j, path, "source");
    String key = text(j, path, "key");
    if (src == null || key == null) {
      return;
    }
    Schema dim = dimensions.get(src);
    if (dim == null) {
      problem(path + ".source", "unknown dimension source, got " + src + "; dimension sources are "
          + dimensions.keySet());
      return;
    }
    Types.NestedField sk = source.findField(key);
    Types.NestedField dk = dim.findField(key);
    if (sk == null || dk == null) {
      problem(path + ".key", "the key must be a column of both source " + sourceName + " and " + src + ", got " + key);
      return;
    }
    if (!sk.type().equals(dk.type())) {
      problem(path + ".key", "has type " + sk.type() + " in " + sourceName + " but " + dk.type() + " in " + src
          + ", got " + key);
      return;
    }
    JsonNode cols = j.get("columns");
    if (cols == null || !cols.isArray() || cols.isEmpty()) {
      problem(path + ".columns", "must be a non-empty list of columns of " + src + ", got " + show(cols));
      return;
    }
    List<Column> out = new ArrayList<>();
    for (int i = 0; i < cols.size(); i++) {
      String c = cols.get(i).isTextual() ? cols.get(i).asText() : null;
      Types.NestedField f = c == null ? null : dim.findField(c);
      if (f == null) {
        problem(path + ".columns[" + i + "]", "unknown column " + (c == null ? show(cols.get(i)) : c) + " in source "
            + src + "; columns are " + names(dim));
      } else if (source.findField(c) != null || resolveJoined(c) != null) {
        problem(path + ".columns[" + i + "]", "column already exists in the rows being joined, got " + c
            + "; a joined column must not shadow another");
      } else {
        out.add(new Column(c, f.type(), index));
      }
    }
    joins.add(new Join(src, new Column(key, sk.type(), -1), new Column(key, dk.type(), index), out));
  }

  private Column resolveJoined(String name) {
    for (Join j : joins) {
      for (Column c : j.columns()) {
        if (c.name().equals(name)) {
          return c;
        }
      }
    }
    return null;
  }

  /** A column of the source or of a join, named by {@code node}; null (with a problem) when unknown. */
  private Column column(JsonNode node, String path) {
    if (node == null || !node.isTextual()) {
      problem(path, "must be a column name, got " + show(node));
      return null;
    }
    String c = node.asText();
    Types.NestedField f = source.findField(c);
    if (f != null) {
      return new Column(c, f.type(), -1);
    }
    Column joined = resolveJoined(c);
    if (joined != null) {
      return joined;
    }
    List<String> all = new ArrayList<>(names(source));
    joins.forEach(j -> j.columns().forEach(jc -> all.add(jc.name())));
    problem(path, "unknown column " + c + " in source " + sourceName + (joins.isEmpty() ? "" : " and its joins")
        + "; columns are " + all);
    return null;
  }

  private Column sourceColumn(JsonNode n, String field, Set<Type.TypeID> allowed) {
    JsonNode v = n.get(field);
    if (v == null) {
      problem(field, "is required, got nothing");
      return null;
    }
    if (!v.isTextual() || source.findField(v.asText()) == null) {
      problem(field, "unknown column " + (v.isTextual() ? v.asText() : show(v)) + " in source " + sourceName
          + "; columns are " + names(source));
      return null;
    }
    Types.NestedField f = source.findField(v.asText());
    if (!allowed.contains(f.type().typeId())) {
      problem(field, "must be a column of type " + typeNames(allowed) + ", got " + f.name() + " of type " + f.type());
      return null;
    }
    return new Column(f.name(), f.type(), -1);
  }

  private Optional<ValueFilter> filter(JsonNode f, String path) {
    if (f == null || !f.isObject()) {
      problem(path, "must be {column, in: [values]}, got " + show(f));
      return Optional.empty();
    }
    unknownFields(path, f, FILTER_FIELDS);
    Column c = column(f.get("column"), path + ".column");
    JsonNode in = f.get("in");
    if (in == null || !in.isArray() || in.isEmpty()) {
      problem(path + ".in", "must be a non-empty list of values, got " + show(in));
      return Optional.empty();
    }
    if (c == null) {
      return Optional.empty();
    }
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      JsonNode v = in.get(i);
      Object value = switch (c.type().typeId()) {
        case STRING -> v.isValueNode() && !v.isNull() ? v.asText() : null;
        case INTEGER -> v.isIntegralNumber() && v.canConvertToInt() ? (Object) v.asInt() : null;
        case LONG -> v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.asLong() : null;
        case BOOLEAN -> v.isBoolean() ? (Object) v.asBoolean() : null;
        default -> {
          problem(path + ".column", "filters compare string, int, long or boolean columns, got " + c.name()
              + " of type " + c.type());
          yield null;
        }
      };
      if (value == null && Set.of(Type.TypeID.STRING, Type.TypeID.INTEGER, Type.TypeID.LONG, Type.TypeID.BOOLEAN)
          .contains(c.type().typeId())) {
        problem(path + ".in[" + i + "]", "must be a " + c.type() + " value like column " + c.name() + ", got "
            + show(v));
      }
      if (value == null) {
        return Optional.empty();
      }
      if (!values.contains(value)) {
        values.add(value);
      }
    }
    return Optional.of(new ValueFilter(c, values));
  }

  private Feature feature(JsonNode f, String path, Map<String, Feature> earlier) {
    if (f == null || !f.isObject()) {
      problem(path, "must be {name, agg, ...} or {name, ratio|difference, ...}, got " + show(f));
      return null;
    }
    String name = text(f, path, "name");
    if (name != null && !NAME.matcher(name).matches()) {
      problem(path + ".name", "must match " + NAME.pattern() + ", got " + name);
      name = null;
    }
    int kinds = (f.has("agg") ? 1 : 0) + (f.has("ratio") ? 1 : 0) + (f.has("difference") ? 1 : 0);
    if (kinds != 1) {
      problem(path, "must have exactly one of agg, ratio, difference, got " + fieldNames(f));
      return null;
    }
    if (f.has("agg")) {
      unknownFields(path, f, AGG_FIELDS);
      return aggregate(f, path, name);
    }
    boolean ratio = f.has("ratio");
    unknownFields(path, f, ratio ? RATIO_FIELDS : DIFFERENCE_FIELDS);
    String field = ratio ? "ratio" : "difference";
    JsonNode pair = f.get(field);
    if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
      problem(path + "." + field, "must be [numerator, denominator] names of earlier features, got " + show(pair));
      return null;
    }
    Type[] types = new Type[2];
    for (int i = 0; i < 2; i++) {
      String ref = pair.get(i).asText();
      Feature target = earlier.get(ref);
      if (target == null) {
        problem(path + "." + field + "[" + i + "]", "must name a feature declared earlier in features, got " + ref
            + "; earlier features are " + earlier.keySet());
      } else if (NumericKind.of(target.outputType()) == null) {
        problem(path + "." + field + "[" + i + "]", "must name a numeric feature, got " + ref + " of type "
            + target.outputType());
      } else {
        types[i] = target.outputType();
      }
    }
    OnZero onZero = OnZero.NULL;
    if (ratio) {
      JsonNode z = f.get("on_zero");
      if (z == null || !(z.isNull() || (z.isTextual() && Set.of("null", "zero").contains(z.asText())))) {
        problem(path + ".on_zero", "must say what a zero denominator gives: null or zero, got " + show(z));
      } else if (z.isTextual() && z.asText().equals("zero")) {
        onZero = OnZero.ZERO;
      }
    }
    if (name == null || types[0] == null || types[1] == null) {
      return null;
    }
    Type out = ratio ? Types.DoubleType.get() : differenceType(types[0], types[1]);
    return new Derived(name, ratio ? DerivedOp.RATIO : DerivedOp.DIFFERENCE, pair.get(0).asText(),
        pair.get(1).asText(), onZero, out);
  }

  /** long - long is a long, exact - exact a decimal(38, max scale), anything with a double a double. */
  static Type differenceType(Type a, Type b) {
    NumericKind ka = NumericKind.of(a);
    NumericKind kb = NumericKind.of(b);
    if (ka == NumericKind.INTEGRAL && kb == NumericKind.INTEGRAL) {
      return Types.LongType.get();
    }
    if (ka == NumericKind.FLOATING || kb == NumericKind.FLOATING) {
      return Types.DoubleType.get();
    }
    return Types.DecimalType.of(38, Math.max(NumericKind.scale(a), NumericKind.scale(b)));
  }

  private Aggregate aggregate(JsonNode f, String path, String name) {
    String label = f.get("agg").isTextual() ? f.get("agg").asText() : null;
    Agg agg = Arrays.stream(Agg.values()).filter(a -> a.label().equals(label)).findFirst().orElse(null);
    if (agg == null) {
      problem(path + ".agg", "must be one of " + Arrays.stream(Agg.values()).map(Agg::label).toList() + ", got "
          + show(f.get("agg")));
      return null;
    }
    Optional<Column> column = Optional.empty();
    if (f.has("column")) {
      Column c = column(f.get("column"), path + ".column");
      if (c == null) {
        return null;
      }
      column = Optional.of(c);
    } else if (agg != Agg.COUNT) {
      problem(path + ".column", agg.label() + " needs a column, got nothing");
      return null;
    }
    Optional<Column> times = Optional.empty();
    if (f.has("times")) {
      Column t = column(f.get("times"), path + ".times");
      if (agg != Agg.SUM) {
        problem(path + ".times", "only sum multiplies by a column, got times with " + agg.label());
      } else if (t != null && NumericKind.of(t.type()) != NumericKind.INTEGRAL) {
        problem(path + ".times", "must be an int or long column, got " + t.name() + " of type " + t.type());
      } else if (t != null) {
        times = Optional.of(t);
      }
    }
    int k = 0;
    if (agg == Agg.TOP_K) {
      JsonNode kn = f.get("k");
      if (kn == null || !kn.isIntegralNumber() || kn.asInt() < 1 || kn.asInt() > MAX_TOP_K) {
        problem(path + ".k", "top_k needs k between 1 and " + MAX_TOP_K + ", got " + show(kn));
      } else {
        k = kn.asInt();
      }
    } else if (f.has("k")) {
      problem(path + ".k", "only top_k takes k, got k with " + agg.label());
    }
    Optional<ValueFilter> where = f.has("where") ? filter(f.get("where"), path + ".where") : Optional.empty();
    Type out = column.isPresent() ? outputType(agg, column.get(), path) : Types.LongType.get();
    if (name == null || out == null) {
      return null;
    }
    return new Aggregate(name, agg, column, times, where, k, out);
  }

  private Type outputType(Agg agg, Column c, String path) {
    Type t = c.type();
    NumericKind kind = NumericKind.of(t);
    boolean primitive = t.isPrimitiveType();
    switch (agg) {
      case COUNT, COUNT_DISTINCT -> {
        if (!primitive) {
          problem(path + ".column", agg.label() + " needs a primitive column, got " + c.name() + " of type " + t);
          return null;
        }
        return Types.LongType.get();
      }
      case SUM, MEAN, STDDEV -> {
        if (kind == null) {
          problem(path + ".column", agg.label() + " needs a numeric column (int, long, decimal, float, double), got "
              + c.name() + " of type " + t);
          return null;
        }
        if (agg == Agg.STDDEV && kind == NumericKind.DECIMAL && 2 * NumericKind.scale(t) > 38) {
          problem(path + ".column", "stddev keeps exact sums of squares as decimal(38, 2 x scale), so the scale must"
              + " be at most 19, got " + c.name() + " of type " + t);
          return null;
        }
        if (agg != Agg.SUM) {
          return Types.DoubleType.get();
        }
        return switch (kind) {
          case INTEGRAL -> Types.LongType.get();
          case DECIMAL -> Types.DecimalType.of(38, NumericKind.scale(t));
          case FLOATING -> Types.DoubleType.get();
        };
      }
      case MIN, MAX, LAST -> {
        if (!primitive || t.typeId() == Type.TypeID.BINARY || t.typeId() == Type.TypeID.FIXED) {
          problem(path + ".column", agg.label() + " needs an orderable primitive column, got " + c.name()
              + " of type " + t);
          return null;
        }
        return t;
      }
      case TOP_K -> {
        if (!Set.of(Type.TypeID.STRING, Type.TypeID.INTEGER, Type.TypeID.LONG).contains(t.typeId())) {
          problem(path + ".column", "top_k counts string, int or long values, got " + c.name() + " of type " + t);
          return null;
        }
        return Types.ListType.ofRequired(0, Types.StructType.of(
            Types.NestedField.required(0, "value", t), Types.NestedField.required(0, "count", Types.LongType.get())));
      }
      default -> throw new IllegalStateException("[BUG] aggregate " + agg);
    }
  }

  private Optional<VectorSpec> vector(JsonNode v) {
    String path = "vector";
    if (v == null || !v.isObject()) {
      problem(path, "must be {name, column, vocabulary, normalize, window}, got " + show(v));
      return Optional.empty();
    }
    unknownFields(path, v, VECTOR_FIELDS);
    String name = text(v, path, "name");
    if (name != null && !NAME.matcher(name).matches()) {
      problem(path + ".name", "must match " + NAME.pattern() + ", got " + name);
    }
    Column c = column(v.get("column"), path + ".column");
    if (c != null && c.type().typeId() != Type.TypeID.STRING) {
      problem(path + ".column", "must be a string column, got " + c.name() + " of type " + c.type());
    }
    List<String> vocabulary = new ArrayList<>();
    JsonNode voc = v.get("vocabulary");
    if (voc == null || !voc.isArray() || voc.isEmpty() || voc.size() > MAX_VOCABULARY) {
      problem(path + ".vocabulary", "must be a list of 1 to " + MAX_VOCABULARY + " strings, got " + show(voc));
    } else {
      for (int i = 0; i < voc.size(); i++) {
        JsonNode e = voc.get(i);
        if (!e.isTextual()) {
          problem(path + ".vocabulary[" + i + "]", "must be a string, got " + show(e));
        } else if (vocabulary.contains(e.asText())) {
          problem(path + ".vocabulary[" + i + "]", "duplicate entry, got " + e.asText());
        } else {
          vocabulary.add(e.asText());
        }
      }
    }
    JsonNode norm = v.get("normalize");
    Normalize normalize = null;
    if (norm != null && norm.isTextual() && Set.of("l1", "none").contains(norm.asText())) {
      normalize = norm.asText().equals("l1") ? Normalize.L1 : Normalize.NONE;
    } else {
      problem(path + ".normalize", "must be l1 or none, got " + show(norm));
    }
    Window window = window(v.get("window"), path + ".window");
    Optional<ValueFilter> where = v.has("where") ? filter(v.get("where"), path + ".where") : Optional.empty();
    if (name == null || c == null || normalize == null || window == null || vocabulary.size() != voc.size()) {
      return Optional.empty();
    }
    return Optional.of(new VectorSpec(name, c, vocabulary, normalize, window, where));
  }

  private String text(JsonNode n, String path, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      problem(path.isEmpty() ? field : path + "." + field, "is required as a non-empty string, got " + show(v));
      return null;
    }
    return v.asText();
  }

  private void unknownFields(String path, JsonNode n, Set<String> allowed) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        problem(path, "unknown field " + f + ", allowed are " + allowed);
      }
    }
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> names(Schema s) {
    return s.columns().stream().map(Types.NestedField::name).toList();
  }

  private static String typeNames(Set<Type.TypeID> ids) {
    return new TreeSet<>(ids.stream().map(id -> id.name().toLowerCase(Locale.ROOT)).toList()).toString();
  }

  private static String show(JsonNode v) {
    return v == null || v.isMissingNode() ? "nothing" : v.toString();
  }
}
