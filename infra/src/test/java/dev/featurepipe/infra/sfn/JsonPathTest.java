package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonPathTest {

  private static final JsonNode INPUT =
      json(
          """
          {"store": {"books": [{"title": "A", "price": 8}, {"title": "B", "price": 12}, {"title": "C"}],
                     "odd key": {"x.y": 1}, "nothing": null},
           "n": 3}
          """);

  private static final JsonNode CONTEXT = json("{\"Execution\": {\"Name\": \"run-1\"}}");

  private static Optional<JsonNode> read(String path) {
    return JsonPath.parse(path).read(INPUT, CONTEXT);
  }

  @Test
  void rootReturnsTheWholeInput() {
    assertThat(read("$")).contains(INPUT);
  }

  @Test
  void dotAndBracketNamesReachTheSameValue() {
    assertThat(read("$.store.books[1].title")).contains(json("\"B\""));
    assertThat(read("$['store']['books'][1]['title']")).contains(json("\"B\""));
    assertThat(read("$[\"store\"].books[1].title")).contains(json("\"B\""));
  }

  @Test
  void bracketNamesMayHoldDotsAndSpaces() {
    assertThat(read("$.store['odd key']['x.y']")).contains(json("1"));
  }

  @Test
  void negativeIndexCountsFromTheEnd() {
    assertThat(read("$.store.books[-1].title")).contains(json("\"C\""));
  }

  @Test
  void aMissingNameOrIndexOnADefinitePathFindsNothing() {
    assertThat(read("$.store.missing")).isEmpty();
    assertThat(read("$.store.books[7]")).isEmpty();
    assertThat(read("$.n.deeper")).isEmpty();
  }

  @Test
  void aNullValueIsFoundAndIsNull() {
    assertThat(read("$.store.nothing")).contains(json("null"));
  }

  @Test
  void wildcardCollectsMatchesInDocumentOrderSkippingMissingNames() {
    assertThat(read("$.store.books[*].price")).contains(json("[8, 12]"));
    assertThat(read("$.store.books.*.title")).contains(json("[\"A\", \"B\", \"C\"]"));
  }

  @Test
  void sliceUnionAndNameUnionSelectSeveralItems() {
    assertThat(read("$.store.books[0:2].title")).contains(json("[\"A\", \"B\"]"));
    assertThat(read("$.store.books[-2:].title")).contains(json("[\"B\", \"C\"]"));
    assertThat(read("$.store.books[0,2].title")).contains(json("[\"A\", \"C\"]"));
    assertThat(read("$.store.books[0]['title','price']")).contains(json("[\"A\", 8]"));
  }

  @Test
  void deepScanFindsANameAtAnyDepth() {
    assertThat(read("$..price")).contains(json("[8, 12]"));
  }

  @Test
  void anIndefinitePathWithNoMatchesGivesAnEmptyArray() {
    assertThat(read("$.store.books[*].isbn")).contains(json("[]"));
  }

  @Test
  void lengthGivesTheSizeOfAnArray() {
    assertThat(read("$.store.books.length()")).contains(json("3"));
  }

  @Test
  void doubleDollarReadsTheContextObject() {
    assertThat(read("$$.Execution.Name")).contains(json("\"run-1\""));
  }

  @Test
  void onlyNamesAndIndexesMakeAReferencePath() {
    assertThat(JsonPath.parse("$.a[0].b").isReference()).isTrue();
    assertThat(JsonPath.parse("$.a[*].b").isReference()).isFalse();
    assertThat(JsonPath.parse("$..b").isReference()).isFalse();
  }

  @Test
  void filterExpressionsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> JsonPath.parse("$.books[?(@.price > 10)]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid JSONPath '$.books[?(@.price > 10)]': filter and script expressions are not supported by the local runner");
  }

  @Test
  void malformedPathsAreRejectedNamingThePath() {
    assertThatThrownBy(() -> JsonPath.parse("store.books")).hasMessage("invalid JSONPath 'store.books': must start with '$'");
    assertThatThrownBy(() -> JsonPath.parse("$.books[1")).hasMessage("invalid JSONPath '$.books[1': expected ']' at position 9");
    assertThatThrownBy(() -> JsonPath.parse("$.")).hasMessage("invalid JSONPath '$.': expected a field name at position 2");
  }

  @Test
  void withValueCreatesMissingObjectsAndLeavesTheInputUntouched() {
    JsonNode input = json("{\"a\": {\"keep\": 1}}");
    JsonNode result = JsonPath.parse("$.a.b.c").withValue(input, json("42"));
    assertThat(result).isEqualTo(json("{\"a\": {\"keep\": 1, \"b\": {\"c\": 42}}}"));
    assertThat(input).isEqualTo(json("{\"a\": {\"keep\": 1}}"));
  }

  @Test
  void withValueOnTheRootReplacesEverything() {
    assertThat(JsonPath.ROOT.withValue(json("{\"a\": 1}"), json("[1]"))).isEqualTo(json("[1]"));
  }

  @Test
  void withValueReplacesAnExistingArrayItem() {
    assertThat(JsonPath.parse("$.list[1]").withValue(json("{\"list\": [1, 2, 3]}"), json("\"x\"")))
        .isEqualTo(json("{\"list\": [1, \"x\", 3]}"));
  }

  @Test
  void withValueCannotDescendIntoAScalar() {
    assertThatThrownBy(() -> JsonPath.parse("$.n.x").withValue(json("{\"n\": 3}"), json("1")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Unable to apply ResultPath \"$.n.x\" to input \"{\"n\":3}\"");
  }
}
