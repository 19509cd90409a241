package dev.featurepipe.infra.sfn;

import static dev.featurepipe.infra.sfn.Sfn.json;
import static dev.featurepipe.infra.sfn.Sfn.noTasks;
import static dev.featurepipe.infra.sfn.Sfn.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChoiceStateTest {

  private static final String INPUT =
      """
      {"s": "banana", "n": 10, "f": 2.5, "b": true, "t": "2026-03-01T02:00:00Z", "nil": null,
       "other": {"s": "cherry", "n": 10, "b": true, "t": "2026-03-01T03:00:00+01:00"},
       "file": "log-2026.txt", "star": "a*b", "slash": "a\\\\b", "notTime": "yesterday"}
      """;

  /** Runs a Choice whose only rule leads to "yes", with Default "no". */
  private static String decide(String rule) {
    ExecutionResult result = run(topLevel(rule), noTasks(), INPUT);
    assertThat(result.status()).as("%s %s", result.error(), result.cause()).isEqualTo("SUCCEEDED");
    return result.output().textValue();
  }

  private static String topLevel(String rule) {
    String withNext = rule.substring(0, rule.lastIndexOf('}')) + ", \"Next\": \"Yes\"}";
    return """
        {"StartAt": "C", "States": {
          "C": {"Type": "Choice", "Choices": [%s], "Default": "No"},
          "Yes": {"Type": "Pass", "Result": "yes", "End": true},
          "No": {"Type": "Pass", "Result": "no", "End": true}}}
        """.formatted(withNext);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          StringEquals              | "banana"                 | yes
          StringEquals              | "apple"                  | no
          StringLessThan            | "cherry"                 | yes
          StringLessThan            | "banana"                 | no
          StringGreaterThan         | "apple"                  | yes
          StringLessThanEquals      | "banana"                 | yes
          StringGreaterThanEquals   | "banana"                 | yes
          StringGreaterThanEquals   | "cherry"                 | no
          """)
  void stringComparisonsAreLexicographic(String operator, String value, String expected) {
    assertThat(decide("{\"Variable\": \"$.s\", \"" + operator + "\": " + value + "}")).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          $.n | NumericEquals             | 10.0 | yes
          $.n | NumericEquals             | 11   | no
          $.f | NumericLessThan           | 3    | yes
          $.f | NumericLessThan           | 2.5  | no
          $.n | NumericGreaterThan        | 9.99 | yes
          $.n | NumericLessThanEquals     | 10   | yes
          $.n | NumericGreaterThanEquals  | 10   | yes
          $.f | NumericGreaterThanEquals  | 2.6  | no
          """)
  void numericComparisonsCompareValuesNotRepresentations(String variable, String operator, String value, String expected) {
    assertThat(decide("{\"Variable\": \"" + variable + "\", \"" + operator + "\": " + value + "}")).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          TimestampEquals             | "2026-03-01T03:00:00+01:00" | yes
          TimestampLessThan           | "2026-03-01T02:00:01Z"      | yes
          TimestampGreaterThan        | "2026-03-01T01:59:59Z"      | yes
          TimestampGreaterThan        | "2026-03-01T02:00:00Z"      | no
          TimestampLessThanEquals     | "2026-03-01T02:00:00Z"      | yes
          TimestampGreaterThanEquals  | "2026-03-02T00:00:00Z"      | no
          """)
  void timestampComparisonsCompareInstantsAcrossOffsets(String operator, String value, String expected) {
    assertThat(decide("{\"Variable\": \"$.t\", \"" + operator + "\": " + value + "}")).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {"Variable": "$.s", "StringEqualsPath": "$.other.s"}                 | no
          {"Variable": "$.s", "StringLessThanPath": "$.other.s"}               | yes
          {"Variable": "$.s", "StringGreaterThanPath": "$.other.s"}            | no
          {"Variable": "$.s", "StringLessThanEqualsPath": "$.other.s"}         | yes
          {"Variable": "$.s", "StringGreaterThanEqualsPath": "$.other.s"}      | no
          {"Variable": "$.n", "NumericEqualsPath": "$.other.n"}                | yes
          {"Variable": "$.f", "NumericLessThanPath": "$.other.n"}              | yes
          {"Variable": "$.f", "NumericGreaterThanPath": "$.other.n"}           | no
          {"Variable": "$.n", "NumericLessThanEqualsPath": "$.other.n"}        | yes
          {"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.other.n"}     | yes
          {"Variable": "$.b", "BooleanEqualsPath": "$.other.b"}                | yes
          {"Variable": "$.t", "TimestampEqualsPath": "$.other.t"}              | yes
          {"Variable": "$.t", "TimestampLessThanPath": "$.other.t"}            | no
          {"Variable": "$.t", "TimestampGreaterThanPath": "$.other.t"}         | no
          {"Variable": "$.t", "TimestampLessThanEqualsPath": "$.other.t"}      | yes
          {"Variable": "$.t", "TimestampGreaterThanEqualsPath": "$.other.t"}   | yes
          """)
  void pathOperatorsCompareWithAnotherValueOfTheInput(String rule, String expected) {
    assertThat(decide(rule)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {"Variable": "$.b", "BooleanEquals": true}         | yes
          {"Variable": "$.b", "BooleanEquals": false}        | no
          {"Variable": "$.nil", "IsNull": true}              | yes
          {"Variable": "$.s", "IsNull": true}                | no
          {"Variable": "$.absent", "IsPresent": false}       | yes
          {"Variable": "$.nil", "IsPresent": true}           | yes
          {"Variable": "$.f", "IsNumeric": true}             | yes
          {"Variable": "$.s", "IsNumeric": true}             | no
          {"Variable": "$.s", "IsString": true}              | yes
          {"Variable": "$.n", "IsString": false}             | yes
          {"Variable": "$.b", "IsBoolean": true}             | yes
          {"Variable": "$.t", "IsTimestamp": true}           | yes
          {"Variable": "$.notTime", "IsTimestamp": true}     | no
          """)
  void typeTestsLookAtTheValueKind(String rule, String expected) {
    assertThat(decide(rule)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {"Variable": "$.file", "StringMatches": "log-*.txt"}     | yes
          {"Variable": "$.file", "StringMatches": "*.csv"}         | no
          {"Variable": "$.file", "StringMatches": "log-2026.txt"}  | yes
          {"Variable": "$.star", "StringMatches": "a\\\\*b"}       | yes
          {"Variable": "$.file", "StringMatches": "log\\\\*"}      | no
          {"Variable": "$.slash", "StringMatches": "a\\\\\\\\b"}   | yes
          {"Variable": "$.n", "StringMatches": "*"}                | no
          """)
  void stringMatchesTreatsStarAsAWildcardAndBackslashAsAnEscape(String rule, String expected) {
    assertThat(decide(rule)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {"Variable": "$.n", "StringEquals": "10"}   | no
          {"Variable": "$.s", "NumericEquals": 10}    | no
          {"Variable": "$.s", "BooleanEquals": true}  | no
          {"Variable": "$.n", "TimestampEquals": "2026-03-01T02:00:00Z"} | no
          """)
  void aValueOfTheWrongTypeMakesTheComparisonFalse(String rule, String expected) {
    assertThat(decide(rule)).isEqualTo(expected);
  }

  @Test
  void andOrNotCombineRules() {
    assertThat(
            decide(
                """
                {"And": [{"Variable": "$.n", "NumericGreaterThan": 5},
                         {"Or": [{"Variable": "$.s", "StringEquals": "x"}, {"Not": {"Variable": "$.b", "BooleanEquals": false}}]}]}
                """))
        .isEqualTo("yes");
    assertThat(decide("{\"Not\": {\"Variable\": \"$.n\", \"NumericEquals\": 10}}")).isEqualTo("no");
  }

  @Test
  void theFirstMatchingRuleWinsAndTheOutputIsTheInput() {
    String asl =
        """
        {"StartAt": "C", "States": {
          "C": {"Type": "Choice", "OutputPath": "$.s", "Choices": [
             {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "First"},
             {"Variable": "$.n", "NumericGreaterThan": 2, "Next": "Second"}]},
          "First": {"Type": "Pass", "Parameters": {"from": "First", "in.$": "$"}, "End": true},
          "Second": {"Type": "Pass", "End": true}}}
        """;
    assertThat(run(asl, noTasks(), INPUT).output()).isEqualTo(json("{\"from\": \"First\", \"in\": \"banana\"}"));
  }

  @Test
  void choiceRulesMayTestTheContextObject() {
    assertThat(decide("{\"Variable\": \"$$.Execution.Name\", \"StringEquals\": \"test-execution\"}")).isEqualTo("yes");
  }

  @Test
  void noMatchWithoutDefaultFailsWithNoChoiceMatched() {
    String asl =
        """
        {"StartAt": "C", "States": {
          "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 0, "Next": "Done"}]},
          "Done": {"Type": "Succeed"}}}
        """;
    ExecutionResult result = run(asl, noTasks(), INPUT);
    assertThat(result.error()).contains("States.NoChoiceMatched");
  }

  @Test
  void aMissingVariableFailsWithStatesRuntime() {
    String asl =
        """
        {"StartAt": "C", "States": {
          "C": {"Type": "Choice", "Choices": [{"Variable": "$.absent", "StringEquals": "x", "Next": "Done"}], "Default": "Done"},
          "Done": {"Type": "Succeed"}}}
        """;
    ExecutionResult result = run(asl, noTasks(), INPUT);
    assertThat(result.error()).contains("States.Runtime");
    assertThat(result.cause())
        .contains(
            "An error occurred while executing the state 'C' (entered at the event id #2). Invalid path '$.absent': The choice state's condition path references an invalid value.");
  }
}
