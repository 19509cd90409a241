package dev.featurepipe.online.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An item's size as DynamoDB counts it against the 400 KB limit ("DynamoDB item sizes and formats",
 * Developer Guide): per attribute, the UTF-8 length of its name plus its value's size. Strings:
 * UTF-8 bytes; binary: raw bytes; numbers: see {@link #number}; booleans and nulls: 1; lists and maps: 3 bytes plus, per element, 1 byte and the element's size (a map's
 * element names count as attribute names).
 */
public final class ItemSize {

  /** DynamoDB's maximum item size, 400 KB (binary kilobytes). */
  public static final int MAX_BYTES = 400 * 1024;

  private ItemSize() {}

  public static long of(Map<String, AttributeValue> item) {
    long size = 0;
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      size += utf8(e.getKey()) + value(e.getValue());
    }
    return size;
  }

  static long value(AttributeValue v) {
    if (v.s() != null) {
      return utf8(v.s());
    }
    if (v.n() != null) {
      return number(v.n());
    }
    if (v.b() != null) {
      return v.b().asByteArrayUnsafe().length;
    }
    if (v.bool() != null || v.nul() != null) {
      return 1;
    }
    if (v.hasL()) {
      long size = 3;
      for (AttributeValue x : v.l()) {
        size += 1 + value(x);
      }
      return size;
    }
    if (v.hasM()) {
      long size = 3;
      for (Map.Entry<String, AttributeValue> e : v.m().entrySet()) {
        size += 1 + utf8(e.getKey()) + value(e.getValue());
      }
      return size;
    }
    if (v.hasSs()) {
      return v.ss().stream().mapToLong(ItemSize::utf8).sum();
    }
    if (v.hasNs()) {
      return v.ns().stream().mapToLong(ItemSize::number).sum();
    }
    if (v.hasBs()) {
      return v.bs().stream().mapToLong(b -> b.asByteArrayUnsafe().length).sum();
    }
    throw new IllegalArgumentException("[BUG] attribute value of no known type: " + v);
  }

  /**
   * The documented rule ("approximately 1 byte per two significant digits, plus 1") can undercount:
   * the stored form is base-100 digit pairs aligned on the decimal exponent, plus a byte for a
   * negative sign. This is the exact form dynalite derived from DynamoDB (db/index.js valSize):
   * {@code 1 + ceil(d/2)}, one more when both the digit count d and the exponent of the leading
   * digit are even, one more when negative; zero is 1 byte. Never below the documented estimate.
   */
  static long number(String n) {
    BigDecimal value = new BigDecimal(n);
    if (value.signum() == 0) {
      return 1;
    }
    BigDecimal stripped = value.stripTrailingZeros();
    int digits = stripped.precision();
    int exponent = digits - 1 - stripped.scale();
    return 1 + (digits + 1) / 2 + (digits % 2 != 0 || exponent % 2 != 0 ? 0 : 1) + (value.signum() < 0 ? 1 : 0);
  }

  private static long utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
