package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * Intrinsic functions ({@code States.Format(...)} and friends) for JSONPath states: parsed once
 * when the definition loads, evaluated against the state input and the context object.
 */
final class Intrinsic {

  /** AWS caps string arguments of the encoding and hashing intrinsics at 10,000 characters. */
  private static final int MAX_STRING_ARGUMENT = 10_000;

  /** AWS caps the arrays {@code States.ArrayRange} may build at 1,000 items. */
  private static final int MAX_RANGE_ITEMS = 1000;

  /** Function name to {minimum, maximum} argument count; -1 is unbounded. */
  private static final Map<String, int[]> ARITY =
      Map.ofEntries(
          Map.entry("States.Format", new int[] {1, -1}),
          Map.entry("States.StringToJson", new int[] {1, 1}),
          Map.entry("States.JsonToString", new int[] {1, 1}),
          Map.entry("States.Array", new int[] {0, -1}),
          Map.entry("States.ArrayPartition", new int[] {2, 2}),
          Map.entry("States.ArrayContains", new int[] {2, 2}),
          Map.entry("States.ArrayRange", new int[] {3, 3}),
          Map.entry("States.ArrayGetItem", new int[] {2, 2}),
          Map.entry("States.ArrayLength", new int[] {1, 1}),
          Map.entry("States.ArrayUnique", new int[] {1, 1}),
          Map.entry("States.Base64Encode", new int[] {1, 1}),
          Map.entry("States.Base64Decode", new int[] {1, 1}),
          Map.entry("States.Hash", new int[] {2, 2}),
          Map.entry("States.JsonMerge", new int[] {3, 3}),
          Map.entry("States.MathRandom", new int[] {2, 3}),
          Map.entry("States.MathAdd", new int[] {2, 2}),
          Map.entry("States.StringSplit", new int[] {2, 2}),
          Map.entry("States.UUID", new int[] {0, 0}));

  sealed interface Arg permits Literal, PathArg, Call {}

  /**
   * A literal argument. {@code formatPieces} keeps the escape structure of a quoted string so that
   * {@code States.Format} can tell an escaped {@code \{\}} from a placeholder.
   */
  record Literal(JsonNode value, List<String> formatPieces) implements Arg {}

  record PathArg(JsonPath path) implements Arg {}

  record Call(String name, List<Arg> args, String text) implements Arg {}

  /** What an evaluation needs besides the input: the context object and a seeded random source. */
  record Env(JsonNode input, JsonNode context, Random random) {}

  /** A failed evaluation; the interpreter reports it as {@code States.Runtime}. */
  static final class IntrinsicException extends Exception {
    private static final long serialVersionUID = 1L;

    IntrinsicException(String message) {
      super(message);
    }
  }

  private Intrinsic() {}

  static boolean looksLikeCall(String text) {
    return text.startsWith("States.");
  }

  /** Parses {@code States.Name(args)}; throws {@link IllegalArgumentException} explaining the problem. */
  static Call parse(String text) {
    Parser parser = new Parser(text);
    Call call = parser.call();
    parser.skipSpaces();
    if (parser.pos != text.length()) {
      throw new IllegalArgumentException(
          "invalid intrinsic function '" + text + "': unexpected text after position " + parser.pos);
    }
    return call;
  }

  static JsonNode evaluate(Call call, Env env) throws IntrinsicException {
    List<JsonNode> args = new ArrayList<>();
    for (Arg arg : call.args()) {
      args.add(argument(arg, env));
    }
    return switch (call.name()) {
      case "States.Format" -> format(call, args);
      case "States.StringToJson" -> {
        String text = string(call, args, 0);
        try {
          yield Json.parse(text);
        } catch (IOException e) {
          throw failure(call, "the argument is not valid JSON: " + text);
        }
      }
      case "States.JsonToString" -> Json.NODES.textNode(Json.compact(args.getFirst()));
      case "States.Array" -> {
        ArrayNode array = Json.NODES.arrayNode();
        args.forEach(array::add);
        yield array;
      }
      case "States.ArrayPartition" -> {
        ArrayNode array = array(call, args, 0);
        long size = integer(call, args, 1);
        if (size <= 0) {
          throw failure(call, "the chunk size must be a positive integer, got " + size);
        }
        ArrayNode chunks = Json.NODES.arrayNode();
        ArrayNode chunk = null;
        for (int i = 0; i < array.size(); i++) {
          if (i % size == 0) {
            chunk = chunks.addArray();
          }
          chunk.add(array.get(i));
        }
        yield chunks;
      }
      case "States.ArrayContains" -> {
        ArrayNode array = array(call, args, 0);
        JsonNode wanted = args.get(1);
        boolean found = false;
        for (JsonNode each : array) {
          found |= jsonEquals(each, wanted);
        }
        yield Json.NODES.booleanNode(found);
      }
      case "States.ArrayRange" -> {
        long start = integer(call, args, 0);
        long end = integer(call, args, 1);
        long step = integer(call, args, 2);
        if (step == 0) {
          throw failure(call, "the step must not be 0");
        }
        long count = step > 0 ? (end < start ? 0 : (end - start) / step + 1) : (start < end ? 0 : (start - end) / -step + 1);
        if (count > MAX_RANGE_ITEMS) {
          throw failure(call, "the range has " + count + " items, more than the limit of " + MAX_RANGE_ITEMS);
        }
        ArrayNode range = Json.NODES.arrayNode();
        for (long i = 0, value = start; i < count; i++, value += step) {
          range.add(Json.number(value));
        }
        yield range;
      }
      case "States.ArrayGetItem" -> {
        ArrayNode array = array(call, args, 0);
        long index = integer(call, args, 1);
        if (index < 0 || index >= array.size()) {
          throw failure(call, "index " + index + " is out of bounds for an array of " + array.size() + " items");
        }
        yield array.get((int) index);
      }
      case "States.ArrayLength" -> Json.NODES.numberNode(array(call, args, 0).size());
      case "States.ArrayUnique" -> {
        ArrayNode unique = Json.NODES.arrayNode();
        for (JsonNode each : array(call, args, 0)) {
          boolean seen = false;
          for (JsonNode kept : unique) {
            seen |= jsonEquals(kept, each);
          }
          if (!seen) {
            unique.add(each);
          }
        }
        yield unique;
      }
      case "States.Base64Encode" -> {
        String text = boundedString(call, args, 0);
        yield Json.NODES.textNode(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
      }
      case "States.Base64Decode" -> {
        String text = boundedString(call, args, 0);
        try {
          yield Json.NODES.textNode(new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw failure(call, "the argument is not valid Base64: " + e.getMessage());
        }
      }
      case "States.Hash" -> {
        String data = boundedString(call, args, 0);
        String algorithm = string(call, args, 1);
        if (!List.of("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512").contains(algorithm)) {
          throw failure(call, "the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, got " + algorithm);
        }
        try {
          byte[] digest = MessageDigest.getInstance(algorithm).digest(data.getBytes(StandardCharsets.UTF_8));
          yield Json.NODES.textNode(HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("[BUG] the JDK lacks " + algorithm, e);
        }
      }
      case "States.JsonMerge" -> {
        if (!args.get(0).isObject() || !args.get(1).isObject()) {
          throw failure(call, "both values to merge must be JSON objects");
        }
        if (!args.get(2).isBoolean() || args.get(2).booleanValue()) {
          throw failure(call, "only a shallow merge is supported: the third argument must be false");
        }
        ObjectNode merged = ((ObjectNode) args.get(0)).deepCopy();
        args.get(1).properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
        yield merged;
      }
      case "States.MathRandom" -> {
        long start = integer(call, args, 0);
        long end = integer(call, args, 1);
        if (end <= start) {
          throw failure(call, "the end (" + end + ") must be greater than the start (" + start + ")");
        }
        Random random = args.size() == 3 ? new Random(integer(call, args, 2)) : env.random();
        // Start inclusive, end exclusive, as the AWS documentation describes States.MathRandom.
        yield Json.number(start + (long) (random.nextDouble() * (end - start)));
      }
      case "States.MathAdd" -> {
        long sum = integer(call, args, 0) + integer(call, args, 1);
        yield Json.number(sum);
      }
      case "States.StringSplit" -> {
        String text = string(call, args, 0);
        String delimiters = string(call, args, 1);
        ArrayNode parts = Json.NODES.arrayNode();
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
          char c = text.charAt(i);
          if (delimiters.indexOf(c) >= 0) {
            if (!part.isEmpty()) {
              parts.add(part.toString());
            }
            part.setLength(0);
          } else {
            part.append(c);
          }
        }
        if (!part.isEmpty()) {
          parts.add(part.toString());
        }
        yield parts;
      }
      case "States.UUID" -> {
        // A version 4 UUID drawn from the execution's seeded random source, so reruns replay.
        byte[] bytes = new byte[16];
        env.random().nextBytes(bytes);
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
        long most = 0;
        long least = 0;
        for (int i = 0; i < 8; i++) {
          most = (most << 8) | (bytes[i] & 0xff);
          least = (least << 8) | (bytes[i + 8] & 0xff);
        }
        yield Json.NODES.textNode(new UUID(most, least).toString());
      }
      default -> throw new IllegalStateException("[BUG] unparsed intrinsic " + call.name());
    };
  }

  private static JsonNode argument(Arg arg, Env env) throws IntrinsicException {
    return switch (arg) {
      case Literal literal -> literal.value();
      case PathArg pathArg -> {
        Optional<JsonNode> value = pathArg.path().read(env.input(), env.context());
        if (value.isEmpty()) {
          throw new IntrinsicException(
              "The JSONPath '" + pathArg.path().text() + "' could not be found in the input '"
                  + Json.preview(pathArg.path().root() == JsonPath.Root.CONTEXT ? env.context() : env.input()) + "'");
        }
        yield value.get();
      }
      case Call call -> evaluate(call, env);
    };
  }

  private static JsonNode format(Call call, List<JsonNode> args) throws IntrinsicException {
    List<String> pieces;
    if (call.args().getFirst() instanceof Literal literal) {
      if (literal.formatPieces() == null) {
        throw failure(call, "the template must be a string");
      }
      pieces = literal.formatPieces();
    } else {
      pieces = splitTemplate(string(call, args, 0));
    }
    int placeholders = pieces.size() - 1;
    if (placeholders != args.size() - 1) {
      throw failure(
          call, "the template has " + placeholders + " placeholder(s) but " + (args.size() - 1) + " value(s) were given");
    }
    StringBuilder out = new StringBuilder(pieces.getFirst());
    for (int i = 1; i < pieces.size(); i++) {
      out.append(formatValue(args.get(i))).append(pieces.get(i));
    }
    return Json.NODES.textNode(out.toString());
  }

  private static List<String> splitTemplate(String template) {
    List<String> pieces = new ArrayList<>();
    int from = 0;
    int at;
    while ((at = template.indexOf("{}", from)) >= 0) {
      pieces.add(template.substring(from, at));
      from = at + 2;
    }
    pieces.add(template.substring(from));
    return pieces;
  }

  /**
   * Strings are inserted raw and scalars as JSON text; arrays and objects in the {@code [a, b]} /
   * {@code {k=v}} form AWS produces (LocalStack mirrors it from AWS snapshots).
   */
  private static String formatValue(JsonNode value) {
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isArray()) {
      List<String> parts = new ArrayList<>();
      value.forEach(v -> parts.add(formatValue(v)));
      return "[" + String.join(", ", parts) + "]";
    }
    if (value.isObject()) {
      List<String> parts = new ArrayList<>();
      value.properties().forEach(e -> parts.add(e.getKey() + "=" + formatValue(e.getValue())));
      return "{" + String.join(", ", parts) + "}";
    }
    return Json.compact(value);
  }

  private static boolean jsonEquals(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isContainerNode() || b.isContainerNode()) {
      if (a.getNodeType() != b.getNodeType() || a.size() != b.size()) {
        return false;
      }
      if (a.isArray()) {
        for (int i = 0; i < a.size(); i++) {
          if (!jsonEquals(a.get(i), b.get(i))) {
            return false;
          }
        }
        return true;
      }
      for (Map.Entry<String, JsonNode> field : a.properties()) {
        JsonNode other = b.get(field.getKey());
        if (other == null || !jsonEquals(field.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  private static String string(Call call, List<JsonNode> args, int index) throws IntrinsicException {
    JsonNode value = args.get(index);
    if (!value.isTextual()) {
      throw failure(call, "argument " + (index + 1) + " must be a string, got " + Json.typeName(value));
    }
    return value.textValue();
  }

  private static String boundedString(Call call, List<JsonNode> args, int index) throws IntrinsicException {
    String text = string(call, args, index);
    if (text.length() > MAX_STRING_ARGUMENT) {
      throw failure(
          call, "argument " + (index + 1) + " has " + text.length() + " characters, more than the limit of " + MAX_STRING_ARGUMENT);
    }
    return text;
  }

  private static ArrayNode array(Call call, List<JsonNode> args, int index) throws IntrinsicException {
    JsonNode value = args.get(index);
    if (!(value instanceof ArrayNode array)) {
      throw failure(call, "argument " + (index + 1) + " must be an array, got " + Json.typeName(value));
    }
    return array;
  }

  private static long integer(Call call, List<JsonNode> args, int index) throws IntrinsicException {
    JsonNode value = args.get(index);
    if (!value.isNumber()) {
      throw failure(call, "argument " + (index + 1) + " must be an integer, got " + Json.typeName(value));
    }
    BigDecimal decimal = value.decimalValue();
    try {
      return decimal.stripTrailingZeros().longValueExact();
    } catch (ArithmeticException e) {
      throw failure(call, "argument " + (index + 1) + " must be an integer, got " + decimal.toPlainString());
    }
  }

  private static IntrinsicException failure(Call call, String what) {
    return new IntrinsicException("The function '" + call.text() + "' had the following error: " + what);
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    Call call() {
      skipSpaces();
      int start = pos;
      while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
        pos++;
      }
      String name = text.substring(start, pos);
      int[] arity = ARITY.get(name);
      if (arity == null) {
        throw error("unknown intrinsic function '" + name + "'");
      }
      skipSpaces();
      expect('(');
      List<Arg> args = new ArrayList<>();
      skipSpaces();
      if (peek() != ')') {
        args.add(argument());
        skipSpaces();
        while (peek() == ',') {
          pos++;
          args.add(argument());
          skipSpaces();
        }
      }
      expect(')');
      if (args.size() < arity[0] || (arity[1] >= 0 && args.size() > arity[1])) {
        String expected = arity[1] < 0 ? "at least " + arity[0] : arity[0] == arity[1] ? "" + arity[0] : arity[0] + " to " + arity[1];
        throw error(name + " takes " + expected + " argument(s), got " + args.size());
      }
      return new Call(name, List.copyOf(args), text.substring(start, pos));
    }

    private Arg argument() {
      skipSpaces();
      char c = peek();
      if (c == '\'') {
        return stringLiteral();
      }
      if (c == '$') {
        return path();
      }
      if (text.startsWith("States.", pos)) {
        return call();
      }
      int start = pos;
      while (pos < text.length() && ",) ".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      String token = text.substring(start, pos);
      switch (token) {
        case "true" -> {
          return new Literal(Json.NODES.booleanNode(true), null);
        }
        case "false" -> {
          return new Literal(Json.NODES.booleanNode(false), null);
        }
        case "null" -> {
          return new Literal(Json.NODES.nullNode(), null);
        }
        default -> {
          try {
            JsonNode node =
                token.contains(".") || token.contains("e") || token.contains("E")
                    ? Json.NODES.numberNode(Double.parseDouble(token))
                    : Json.number(Long.parseLong(token));
            return new Literal(node, null);
          } catch (NumberFormatException e) {
            throw error("cannot read argument '" + token + "' at position " + start);
          }
        }
      }
    }

    private Literal stringLiteral() {
      pos++; // opening quote
      StringBuilder value = new StringBuilder();
      StringBuilder piece = new StringBuilder();
      List<String> pieces = new ArrayList<>();
      while (true) {
        if (pos >= text.length()) {
          throw error("unclosed string literal");
        }
        char c = text.charAt(pos);
        if (c == '\\') {
          if (pos + 1 >= text.length()) {
            throw error("unclosed string literal");
          }
          char escaped = text.charAt(pos + 1);
          value.append(escaped);
          piece.append(escaped);
          pos += 2;
        } else if (c == '\'') {
          pos++;
          break;
        } else if (c == '{' && pos + 1 < text.length() && text.charAt(pos + 1) == '}') {
          value.append("{}");
          pieces.add(piece.toString());
          piece.setLength(0);
          pos += 2;
        } else {
          value.append(c);
          piece.append(c);
          pos++;
        }
      }
      pieces.add(piece.toString());
      return new Literal(Json.NODES.textNode(value.toString()), List.copyOf(pieces));
    }

    private PathArg path() {
      int start = pos;
      int depth = 0;
      char quote = 0;
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (quote != 0) {
          if (c == '\\') {
            pos++;
          } else if (c == quote) {
            quote = 0;
          }
        } else if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '[') {
          depth++;
        } else if (c == ']') {
          depth--;
        } else if (depth == 0 && (c == ',' || c == ')' || c == ' ')) {
          break;
        }
        pos++;
      }
      String path = text.substring(start, pos);
      try {
        return new PathArg(JsonPath.parse(path));
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage());
      }
    }

    private char peek() {
      return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "' at position " + pos);
      }
      pos++;
    }

    void skipSpaces() {
      while (pos < text.length() && text.charAt(pos) == ' ') {
        pos++;
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("invalid intrinsic function '" + text + "': " + what);
    }
  }
}
