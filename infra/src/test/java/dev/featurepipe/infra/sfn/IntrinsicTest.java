package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IntrinsicTest {

  private static final JsonNode INPUT =
      json(
          """
          {"name": "Arnav", "template": "Hello, my name is {}.", "numbers": [1, 2, 3, 4, 5, 6, 7, 8, 9],
           "dupes": [1, 2, 2, {"a": 1}, {"a": 1}, 1.0], "text": "Data to encode",
           "csv": "This.is+a,test=string", "obj1": {"a": 1, "b": {"c": 1}}, "obj2": {"b": 2, "d": 4},
           "escaped": "{\\"x\\":[1,2]}"}
          """);

  private static final JsonNode CONTEXT = json("{\"Execution\": {\"Name\": \"exec\"}}");

  private static JsonNode eval(String expression) throws Intrinsic.IntrinsicException {
    return eval(expression, new Random(7));
  }

  private static JsonNode eval(String expression, Random random) throws Intrinsic.IntrinsicException {
    return Intrinsic.evaluate(Intrinsic.parse(expression), new Intrinsic.Env(INPUT, CONTEXT, random));
  }

  @Test
  void formatFillsPlaceholdersInOrder() throws Exception {
    assertThat(eval("States.Format('Hello, my name is {}.', $.name)")).isEqualTo(json("\"Hello, my name is Arnav.\""));
    assertThat(eval("States.Format($.template, $.name)")).isEqualTo(json("\"Hello, my name is Arnav.\""));
    assertThat(eval("States.Format('{}-{}-{}', 1, true, null)")).isEqualTo(json("\"1-true-null\""));
    assertThat(eval("States.Format('runs/run_id={}/extract-map', $$.Execution.Name)"))
        .isEqualTo(json("\"runs/run_id=exec/extract-map\""));
  }

  @Test
  void formatKeepsEscapedBracesAndQuotesLiteral() throws Exception {
    assertThat(eval("States.Format('\\{\\} it\\'s {}', $.name)")).isEqualTo(json("\"{} it's Arnav\""));
  }

  @Test
  void formatRejectsAPlaceholderCountThatDoesNotMatchTheValues() {
    assertThatThrownBy(() -> eval("States.Format('{} and {}', $.name)"))
        .hasMessage(
            "The function 'States.Format('{} and {}', $.name)' had the following error: the template has 2 placeholder(s) but 1 value(s) were given");
  }

  @Test
  void jsonToStringAndStringToJsonRoundTrip() throws Exception {
    assertThat(eval("States.StringToJson($.escaped)")).isEqualTo(json("{\"x\": [1, 2]}"));
    assertThat(eval("States.JsonToString($.obj2)")).isEqualTo(json("\"{\\\"b\\\":2,\\\"d\\\":4}\""));
  }

  @Test
  void arrayBuildsFromArgumentsInOrder() throws Exception {
    assertThat(eval("States.Array('a', 2, $.obj2, States.Array())")).isEqualTo(json("[\"a\", 2, {\"b\": 2, \"d\": 4}, []]"));
  }

  @Test
  void arrayPartitionCutsIntoChunksWithAShorterLastOne() throws Exception {
    assertThat(eval("States.ArrayPartition($.numbers, 4)")).isEqualTo(json("[[1,2,3,4],[5,6,7,8],[9]]"));
  }

  @Test
  void arrayContainsComparesJsonValues() throws Exception {
    assertThat(eval("States.ArrayContains($.dupes, $.obj2)")).isEqualTo(json("false"));
    assertThat(eval("States.ArrayContains($.numbers, 5)")).isEqualTo(json("true"));
  }

  @Test
  void arrayRangeIncludesBothEnds() throws Exception {
    assertThat(eval("States.ArrayRange(1, 9, 2)")).isEqualTo(json("[1,3,5,7,9]"));
    assertThat(eval("States.ArrayRange(10, 4, -3)")).isEqualTo(json("[10,7,4]"));
  }

  @Test
  void arrayRangeRefusesMoreThanAThousandItems() {
    assertThatThrownBy(() -> eval("States.ArrayRange(0, 1000, 1)"))
        .hasMessageEndingWith("the range has 1001 items, more than the limit of 1000");
  }

  @Test
  void arrayGetItemLengthAndUnique() throws Exception {
    assertThat(eval("States.ArrayGetItem($.numbers, 5)")).isEqualTo(json("6"));
    assertThat(eval("States.ArrayLength($.numbers)")).isEqualTo(json("9"));
    assertThat(eval("States.ArrayUnique($.dupes)")).isEqualTo(json("[1, 2, {\"a\": 1}]"));
    assertThatThrownBy(() -> eval("States.ArrayGetItem($.numbers, 9)"))
        .hasMessageEndingWith("index 9 is out of bounds for an array of 9 items");
  }

  @Test
  void base64EncodeAndDecodeMatchTheJdk() throws Exception {
    String encoded = Base64.getEncoder().encodeToString("Data to encode".getBytes(StandardCharsets.UTF_8));
    assertThat(eval("States.Base64Encode($.text)").textValue()).isEqualTo(encoded);
    assertThat(eval("States.Base64Decode('" + encoded + "')").textValue()).isEqualTo("Data to encode");
  }

  @Test
  void hashMatchesMessageDigestForEveryAlgorithm() throws Exception {
    for (String algorithm : new String[] {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"}) {
      String expected =
          HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest("Data to encode".getBytes(StandardCharsets.UTF_8)));
      assertThat(eval("States.Hash($.text, '" + algorithm + "')").textValue()).as(algorithm).isEqualTo(expected);
    }
    assertThatThrownBy(() -> eval("States.Hash($.text, 'SHA-3')"))
        .hasMessageEndingWith("the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, got SHA-3");
  }

  @Test
  void jsonMergeIsShallowWithTheSecondObjectWinning() throws Exception {
    assertThat(eval("States.JsonMerge($.obj1, $.obj2, false)")).isEqualTo(json("{\"a\": 1, \"b\": 2, \"d\": 4}"));
    assertThatThrownBy(() -> eval("States.JsonMerge($.obj1, $.obj2, true)"))
        .hasMessageEndingWith("only a shallow merge is supported: the third argument must be false");
  }

  @Test
  void mathRandomStaysInRangeAndRepeatsForTheSameSeed() throws Exception {
    for (int i = 0; i < 50; i++) {
      long value = eval("States.MathRandom(10, 20)", new Random(i)).longValue();
      assertThat(value).isBetween(10L, 19L);
    }
    assertThat(eval("States.MathRandom(1, 1000, 42)")).isEqualTo(eval("States.MathRandom(1, 1000, 42)", new Random(99)));
  }

  @Test
  void mathAddAddsIntegers() throws Exception {
    assertThat(eval("States.MathAdd(111, -1)")).isEqualTo(json("110"));
    assertThatThrownBy(() -> eval("States.MathAdd(1.5, 1)")).hasMessageEndingWith("argument 1 must be an integer, got 1.5");
  }

  @Test
  void stringSplitSplitsOnAnyDelimiterCharacter() throws Exception {
    assertThat(eval("States.StringSplit($.csv, '.+,=')")).isEqualTo(json("[\"This\",\"is\",\"a\",\"test\",\"string\"]"));
  }

  @Test
  void uuidIsAVersion4UuidDrawnFromTheSeededSource() throws Exception {
    String first = eval("States.UUID()", new Random(5)).textValue();
    UUID parsed = UUID.fromString(first);
    assertThat(parsed.version()).isEqualTo(4);
    assertThat(parsed.variant()).isEqualTo(2);
    assertThat(eval("States.UUID()", new Random(5)).textValue()).isEqualTo(first);
    assertThat(eval("States.UUID()", new Random(6)).textValue()).isNotEqualTo(first);
  }

  @Test
  void nestedCallsEvaluateInsideOut() throws Exception {
    assertThat(eval("States.ArrayGetItem(States.StringSplit(States.Format('{}/x/y', $.name), '/'), 2)"))
        .isEqualTo(json("\"y\""));
  }

  @Test
  void aMissingPathArgumentFailsNamingThePath() {
    assertThatThrownBy(() -> eval("States.Format('{}', $.absent)"))
        .hasMessageStartingWith("The JSONPath '$.absent' could not be found in the input");
  }

  @Test
  void parsingRejectsUnknownFunctionsAndWrongArity() {
    assertThatThrownBy(() -> Intrinsic.parse("States.Nope(1)"))
        .hasMessage("invalid intrinsic function 'States.Nope(1)': unknown intrinsic function 'States.Nope'");
    assertThatThrownBy(() -> Intrinsic.parse("States.ArrayLength($.a, 2)"))
        .hasMessage("invalid intrinsic function 'States.ArrayLength($.a, 2)': States.ArrayLength takes 1 argument(s), got 2");
    assertThatThrownBy(() -> Intrinsic.parse("States.Format('x'"))
        .hasMessage("invalid intrinsic function 'States.Format('x'': expected ')' at position 17");
  }
}
