package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The JSONPath subset Amazon States Language uses, with the semantics of Jayway JsonPath (the
 * implementation AWS runs): a definite path ({@code $.a.b[0]}) yields one value or nothing; an
 * indefinite path (wildcards, unions, slices, deep scan) yields an array of every match, skipping
 * branches where a name is missing. Filter expressions ({@code [?(...)]}) are rejected at parse time.
 *
 * <p>{@code $} reads the state's input and {@code $$} the context object.
 */
final class JsonPath {

  enum Root {
    INPUT,
    CONTEXT
  }

  sealed interface Segment permits Field, Fields, Index, Indexes, Slice, Wildcard, DeepScan, Length {}

  record Field(String name) implements Segment {}

  record Fields(List<String> names) implements Segment {}

  record Index(int index) implements Segment {}

  record Indexes(List<Integer> indexes) implements Segment {}

  /** {@code [start:end]}, either bound optional, negative bounds count from the end. */
  record Slice(Integer start, Integer end) implements Segment {}

  record Wildcard() implements Segment {}

  /** {@code ..} followed by the segment applied to every descendant (and the node itself). */
  record DeepScan(Segment next) implements Segment {}

  /** Jayway's {@code .length()} function: the size of an array. */
  record Length() implements Segment {}

  static final JsonPath ROOT = new JsonPath("$", Root.INPUT, List.of());

  private final String text;
  private final Root root;
  private final List<Segment> segments;
  private final boolean definite;

  private JsonPath(String text, Root root, List<Segment> segments) {
    this.text = text;
    this.root = root;
    this.segments = List.copyOf(segments);
    this.definite =
        this.segments.stream().allMatch(s -> s instanceof Field || s instanceof Index || s instanceof Length);
  }

  /** Parses a path; throws {@link IllegalArgumentException} whose message says what is wrong and where. */
  static JsonPath parse(String text) {
    return new Parser(text).parse();
  }

  String text() {
    return text;
  }

  Root root() {
    return root;
  }

  List<Segment> segments() {
    return segments;
  }

  boolean isDefinite() {
    return definite;
  }

  /** A reference path names exactly one node: only field names and array indexes. */
  boolean isReference() {
    return segments.stream().allMatch(s -> s instanceof Field || s instanceof Index);
  }

  boolean isRoot() {
    return segments.isEmpty();
  }

  @Override
  public String toString() {
    return text;
  }

  /**
   * Reads the path. A definite path gives the value or empty when any step is missing; an
   * indefinite path always gives an array (possibly empty) of the matches in document order.
   */
  Optional<JsonNode> read(JsonNode input, JsonNode context) {
    JsonNode start = root == Root.CONTEXT ? context : input;
    if (definite) {
      JsonNode current = start;
      for (Segment segment : segments) {
        current = step(current, segment);
        if (current == null) {
          return Optional.empty();
        }
      }
      return Optional.of(current);
    }
    List<JsonNode> current = List.of(start);
    for (Segment segment : segments) {
      if (segment instanceof Length) {
        // Jayway applies a function to the whole result of the path before it.
        current = List.of(Json.NODES.numberNode(current.size()));
        continue;
      }
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : current) {
        collect(node, segment, next);
      }
      current = next;
    }
    ArrayNode result = Json.NODES.arrayNode();
    current.forEach(result::add);
    return Optional.of(result);
  }

  /**
   * Returns a copy of {@code input} with {@code value} placed at this reference path, creating
   * missing objects on the way, the way {@code ResultPath} works.
   *
   * @throws IllegalStateException when the input's shape does not allow it (the caller reports
   *     {@code States.ResultPathMatchFailure})
   */
  JsonNode withValue(JsonNode input, JsonNode value) {
    if (!isReference() || root != Root.INPUT) {
      throw new IllegalStateException("[BUG] ResultPath must be a reference path on $, got " + text);
    }
    if (segments.isEmpty()) {
      return value;
    }
    JsonNode copy = input.deepCopy();
    JsonNode parent = copy;
    for (int i = 0; i < segments.size(); i++) {
      Segment segment = segments.get(i);
      boolean last = i == segments.size() - 1;
      if (segment instanceof Field field) {
        if (!(parent instanceof ObjectNode object)) {
          throw new IllegalStateException(
              "Unable to apply ResultPath \"" + text + "\" to input \"" + Json.preview(input) + "\"");
        }
        if (last) {
          object.set(field.name(), value);
        } else {
          JsonNode child = object.get(field.name());
          if (child == null || child.isNull()) {
            child = Json.object();
            object.set(field.name(), child);
          }
          parent = child;
        }
      } else if (segment instanceof Index index) {
        if (!(parent instanceof ArrayNode array)) {
          throw new IllegalStateException(
              "Unable to apply ResultPath \"" + text + "\" to input \"" + Json.preview(input) + "\"");
        }
        int at = index.index() < 0 ? array.size() + index.index() : index.index();
        if (at < 0 || at >= array.size()) {
          throw new IllegalStateException(
              "Unable to apply ResultPath \"" + text + "\" to input \"" + Json.preview(input) + "\"");
        }
        if (last) {
          array.set(at, value);
        } else {
          parent = array.get(at);
        }
      }
    }
    return copy;
  }

  private static JsonNode step(JsonNode node, Segment segment) {
    if (segment instanceof Field field) {
      return node.isObject() ? node.get(field.name()) : null;
    }
    if (segment instanceof Index index) {
      if (!node.isArray()) {
        return null;
      }
      int at = index.index() < 0 ? node.size() + index.index() : index.index();
      return at >= 0 && at < node.size() ? node.get(at) : null;
    }
    if (segment instanceof Length) {
      return node.isArray() ? Json.NODES.numberNode(node.size()) : null;
    }
    throw new IllegalStateException("[BUG] not a definite segment: " + segment);
  }

  private static void collect(JsonNode node, Segment segment, List<JsonNode> out) {
    switch (segment) {
      case Field field -> {
        if (node.isObject() && node.has(field.name())) {
          out.add(node.get(field.name()));
        }
      }
      case Fields fields -> {
        if (node.isObject()) {
          for (String name : fields.names()) {
            if (node.has(name)) {
              out.add(node.get(name));
            }
          }
        }
      }
      case Index index -> {
        JsonNode value = step(node, index);
        if (value != null) {
          out.add(value);
        }
      }
      case Indexes indexes -> {
        for (int i : indexes.indexes()) {
          JsonNode value = step(node, new Index(i));
          if (value != null) {
            out.add(value);
          }
        }
      }
      case Slice slice -> {
        if (node.isArray()) {
          int size = node.size();
          int from = bound(slice.start(), 0, size);
          int to = bound(slice.end(), size, size);
          for (int i = from; i < to; i++) {
            out.add(node.get(i));
          }
        }
      }
      case Wildcard ignored -> {
        if (node.isObject() || node.isArray()) {
          Iterator<JsonNode> values = node.elements();
          values.forEachRemaining(out::add);
        }
      }
      case DeepScan scan -> {
        List<JsonNode> all = new ArrayList<>();
        descendants(node, all);
        for (JsonNode each : all) {
          collect(each, scan.next(), out);
        }
      }
      case Length ignored -> throw new IllegalStateException("[BUG] length() is applied by read()");
    }
  }

  private static int bound(Integer value, int absent, int size) {
    if (value == null) {
      return absent;
    }
    int at = value < 0 ? size + value : value;
    return Math.max(0, Math.min(size, at));
  }

  private static void descendants(JsonNode node, List<JsonNode> out) {
    out.add(node);
    if (node.isContainerNode()) {
      node.elements().forEachRemaining(child -> descendants(child, out));
    }
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    JsonPath parse() {
      if (text == null || !text.startsWith("$")) {
        throw error("must start with '$'");
      }
      Root root = Root.INPUT;
      pos = 1;
      if (text.startsWith("$$")) {
        root = Root.CONTEXT;
        pos = 2;
      }
      List<Segment> segments = new ArrayList<>();
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c == '.') {
          pos++;
          if (pos < text.length() && text.charAt(pos) == '.') {
            pos++;
            segments.add(new DeepScan(afterDeepScan()));
          } else {
            segments.add(dotSegment());
          }
        } else if (c == '[') {
          segments.add(bracket());
        } else {
          throw error("unexpected character '" + c + "' at position " + pos);
        }
      }
      for (int i = 0; i < segments.size() - 1; i++) {
        if (segments.get(i) instanceof Length) {
          throw error("length() must be the last step");
        }
      }
      return new JsonPath(text, root, segments);
    }

    private Segment afterDeepScan() {
      if (pos < text.length() && text.charAt(pos) == '[') {
        return bracket();
      }
      Segment next = dotSegment();
      if (next instanceof Length) {
        throw error("length() cannot follow '..'");
      }
      return next;
    }

    private Segment dotSegment() {
      if (pos < text.length() && text.charAt(pos) == '*') {
        pos++;
        return new Wildcard();
      }
      int start = pos;
      while (pos < text.length() && isNameChar(text.charAt(pos))) {
        pos++;
      }
      if (pos == start) {
        throw error("expected a field name at position " + start);
      }
      String name = text.substring(start, pos);
      if (name.equals("length") && text.startsWith("()", pos)) {
        pos += 2;
        return new Length();
      }
      return new Field(name);
    }

    private static boolean isNameChar(char c) {
      return c != '.' && c != '[' && c != ']' && c != '(' && c != ')' && c != '\'' && c != '"'
          && c != ',' && c != '*' && c != '?' && c != '@' && !Character.isWhitespace(c);
    }

    private Segment bracket() {
      pos++; // '['
      skipSpaces();
      if (pos >= text.length()) {
        throw error("unclosed '['");
      }
      char c = text.charAt(pos);
      Segment segment;
      if (c == '?' || c == '(') {
        throw error("filter and script expressions are not supported by the local runner");
      } else if (c == '*') {
        pos++;
        segment = new Wildcard();
      } else if (c == '\'' || c == '"') {
        List<String> names = new ArrayList<>();
        names.add(quoted());
        skipSpaces();
        while (pos < text.length() && text.charAt(pos) == ',') {
          pos++;
          skipSpaces();
          names.add(quoted());
          skipSpaces();
        }
        segment = names.size() == 1 ? new Field(names.getFirst()) : new Fields(names);
      } else {
        segment = numeric();
      }
      skipSpaces();
      if (pos >= text.length() || text.charAt(pos) != ']') {
        throw error("expected ']' at position " + pos);
      }
      pos++;
      return segment;
    }

    private String quoted() {
      if (pos >= text.length()) {
        throw error("expected a quoted name at position " + pos);
      }
      char quote = text.charAt(pos);
      if (quote != '\'' && quote != '"') {
        throw error("expected a quoted name at position " + pos);
      }
      pos++;
      StringBuilder name = new StringBuilder();
      while (pos < text.length() && text.charAt(pos) != quote) {
        char c = text.charAt(pos);
        if (c == '\\' && pos + 1 < text.length()) {
          pos++;
          c = text.charAt(pos);
        }
        name.append(c);
        pos++;
      }
      if (pos >= text.length()) {
        throw error("unclosed quote");
      }
      pos++;
      return name.toString();
    }

    private Segment numeric() {
      Integer first = optionalInt();
      skipSpaces();
      if (pos < text.length() && text.charAt(pos) == ':') {
        pos++;
        skipSpaces();
        Integer end = optionalInt();
        return new Slice(first, end);
      }
      if (first == null) {
        throw error("expected an index, a slice, '*' or a quoted name at position " + pos);
      }
      if (pos < text.length() && text.charAt(pos) == ',') {
        List<Integer> indexes = new ArrayList<>();
        indexes.add(first);
        while (pos < text.length() && text.charAt(pos) == ',') {
          pos++;
          skipSpaces();
          Integer next = optionalInt();
          if (next == null) {
            throw error("expected an index at position " + pos);
          }
          indexes.add(next);
          skipSpaces();
        }
        return new Indexes(indexes);
      }
      return new Index(first);
    }

    private Integer optionalInt() {
      int start = pos;
      if (pos < text.length() && text.charAt(pos) == '-') {
        pos++;
      }
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      String digits = text.substring(start, pos);
      if (digits.isEmpty() || digits.equals("-")) {
        pos = start;
        return null;
      }
      try {
        return Integer.parseInt(digits);
      } catch (NumberFormatException e) {
        throw error("index out of range: " + digits);
      }
    }

    private void skipSpaces() {
      while (pos < text.length() && text.charAt(pos) == ' ') {
        pos++;
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("invalid JSONPath '" + text + "': " + what);
    }
  }
}
