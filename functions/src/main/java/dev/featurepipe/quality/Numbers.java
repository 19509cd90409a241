package dev.featurepipe.quality;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Stable number formatting for reports: the same value always prints the same way. */
final class Numbers {

  private Numbers() {}

  /** Rounded half-even to 6 decimals, so summing order noise below that never reaches a report. */
  static double round6(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return value;
    }
    return BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_EVEN).doubleValue();
  }

  /** Plain decimal text without exponent or trailing zeros: 0.6, 20, 0.000123. */
  static String plain(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return Double.toString(value);
    }
    BigDecimal d = BigDecimal.valueOf(round6(value)).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
  }
}
