package dev.featurepipe.transform.engine.internal;

import java.math.BigInteger;

/**
 * An exact integer sum: a long while it fits, then a BigInteger. Addition is exact, so the value
 * never depends on the order of {@link #add} and {@link #merge} calls.
 */
final class ExactSum {
  private long small;
  private BigInteger big;

  void add(long v) {
    long r = small + v;
    if (((small ^ r) & (v ^ r)) < 0) {
      big = value();
      small = v;
    } else {
      small = r;
    }
  }

  void add(BigInteger v) {
    if (v.bitLength() < 64) {
      add(v.longValue());
    } else {
      big = big == null ? v : big.add(v);
    }
  }

  /** Adds {@code a * b} exactly. */
  void addProduct(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      add(lo);
    } else {
      add(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)));
    }
  }

  void merge(ExactSum o) {
    if (o.big != null) {
      add(o.big);
    }
    add(o.small);
  }

  BigInteger value() {
    BigInteger s = BigInteger.valueOf(small);
    return big == null ? s : big.add(s);
  }

  /** True when the sum is a long without computing it: {@link #longValueExact} is then free. */
  boolean fitsLongCheaply() {
    return big == null;
  }

  boolean fitsLong() {
    return big == null || value().bitLength() < 64;
  }

  long longValueExact() {
    return big == null ? small : value().longValueExact();
  }
}
