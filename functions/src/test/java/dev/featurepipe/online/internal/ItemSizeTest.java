package dev.featurepipe.online.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The size rule by hand from the Developer Guide's text; tests/online checks it against dynalite's limit. */
class ItemSizeTest {

  @Test
  void namesAndValuesCountInUtf8WithListAndMapOverheads() {
    Map<String, AttributeValue> item = Map.of(
        "ü", AttributeValue.fromS("ab€"),                       // 2 + 5
        "l", AttributeValue.fromL(List.of(AttributeValue.fromS("x"), AttributeValue.fromBool(true))), // 1 + 3 + (1+1) + (1+1)
        "m", AttributeValue.fromM(Map.of("k", AttributeValue.fromS("vv"))));                          // 1 + 3 + 1 + 1 + 2

    assertThat(ItemSize.of(item)).isEqualTo(7 + 8 + 8);
  }

  @Test
  void numbersCountDigitPairsNeverBelowTheDocumentedEstimate() {
    for (String n : List.of("1", "12", "123", "1234", "-5", "0.001", "120000", "12345678901234567890123456789012345678")) {
      long digits = new java.math.BigDecimal(n).stripTrailingZeros().precision();
      assertThat(ItemSize.number(n)).as(n).isGreaterThanOrEqualTo((digits + 1) / 2 + 1);
    }
    assertThat(ItemSize.number("0")).isEqualTo(1);
  }
}
