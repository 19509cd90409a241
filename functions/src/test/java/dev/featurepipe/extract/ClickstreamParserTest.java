package dev.featurepipe.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ClickstreamParserTest {

  private final ClickstreamParser parser = new ClickstreamParser(LocalDate.of(2026, 11, 24));

  private ClickstreamParser.Result parse(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    return parser.parse(bytes, 0, bytes.length, 7);
  }

  @Test
  void validPurchaseIsParsedExactly() {
    var r = parse("{\"event_id\":\"e1\",\"event_time\":\"2026-11-24T10:15:00.123456789+01:00\",\"user_id\":42,"
        + "\"product_id\":\"prod-ü\",\"event_type\":\"purchase\",\"price\":\"19.9\",\"quantity\":3,\"extra\":{\"a\":[1]}}");
    assertThat(r.rejection()).isNull();
    assertThat(r.event()).isEqualTo(new ClickEvent("e1", Instant.parse("2026-11-24T09:15:00.123456Z"), "42", "prod-ü",
        "purchase", new BigDecimal("19.90"), 3, null, 7));
  }

  @Test
  void quantityDefaultsToOneAndPriceMayBeAbsentForViews() {
    var r = parse("{\"event_id\":\"e1\",\"event_time\":\"2026-11-24T00:00:00Z\",\"user_id\":\"u\",\"product_id\":\"p\",\"event_type\":\"view\"}");
    assertThat(r.event().quantity()).isEqualTo(1);
    assertThat(r.event().price()).isNull();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"event_id":"e1"}                                                                                                  | missing_field  | event_time is required
      {"event_id":"e1"                                                                                                   | invalid_json   | not valid JSON
      not json                                                                                                           | invalid_json   | not valid JSON
      [1,2]                                                                                                              | not_an_object  | line is not a JSON object
      {"event_id":"e1","event_time":"2026-11-24T00:00:00Z","user_id":"u","product_id":"p","event_type":"hover"}          | invalid_value  | event_type must be one of add_to_cart, click, purchase, view
      {"event_id":"e1","event_time":"2026-11-23T23:59:59Z","user_id":"u","product_id":"p","event_type":"view"}          | event_time_outside_partition | event_time is not on the partition date 2026-11-24 (UTC)
      {"event_id":"e1","event_time":"2026-11-24 10:00","user_id":"u","product_id":"p","event_type":"view"}               | invalid_value  | event_time must be ISO-8601 with an offset, like 2026-11-15T10:15:00Z
      {"event_id":"e1","event_time":"2026-11-24T00:00:00Z","user_id":"u","product_id":"p","event_type":"purchase"}       | missing_field  | price is required for purchase events
      {"event_id":"e1","event_time":"2026-11-24T00:00:00Z","user_id":"u","product_id":"p","event_type":"view","price":1.234} | invalid_value | price must have at most 2 decimals
      {"event_id":"e1","event_time":"2026-11-24T00:00:00Z","user_id":"u","product_id":"p","event_type":"view","quantity":0}  | invalid_value | quantity must be between 1 and 1000000
      {"event_id":"e1","event_time":"2026-11-24T00:00:00Z","user_id":"u","product_id":"p","event_type":"view","quantity":1.5} | wrong_type  | quantity must be an integer
      {"event_id":"","event_time":"2026-11-24T00:00:00Z","user_id":"u","product_id":"p","event_type":"view"}             | invalid_value  | event_id must be 1 to 256 characters, not blank
      {"event_id":"e1","event_time":"2026-11-24T00:00:00Z","user_id":"u","product_id":["p"],"event_type":"view"}         | wrong_type     | product_id must be a string or an integer
      {"event_id":"e1","event_id":"e2","event_time":"2026-11-24T00:00:00Z","user_id":"u","product_id":"p","event_type":"view"} | duplicate_field | Duplicate field 'event_id'
      {"event_id":"e1","event_time":"2026-11-24T00:00:00Z","user_id":"u","product_id":"p","event_type":"view"} {}        | invalid_json   | trailing content after the JSON object
      """)
  void badLinesAreRejectedWithReasonAndDetail(String line, String reason, String detail) {
    var r = parse(line.strip());
    assertThat(r.event()).isNull();
    assertThat(r.rejection()).isEqualTo(new Rejection(reason, detail.replace("2026-11-15", "2026-11-24")));
  }

  @Test
  void invalidUtf8IsRejectedNotReplaced() {
    byte[] line = "{\"event_id\":\"e\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
    var r = parser.parse(line, 0, line.length, 1);
    assertThat(r.rejection().reason()).isEqualTo("invalid_utf8");
  }
}
