package dev.featurepipe.transform.engine.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * Correctly rounded (round half to even) conversions of exact rationals to {@code double} and
 * {@code float}. Every floating-point feature is one of these applied once to exact integer state,
 * so it cannot depend on the order rows were added or tiles merged.
 *
 * <p>The method: scale the quotient so that its integer part carries at least two bits more than
 * the target precision, append a sticky bit for a non-zero remainder, and let the JLS's
 * round-to-nearest {@code long} to {@code double}/{@code float} conversion do the single rounding.
 * The result is then scaled by a power of two, which is exact unless it is subnormal; subnormal
 * results (below 2.2e-308, never a feature of real data) fall back to a 1100-digit decimal quotient,
 * enough that its rounding to a subnormal cannot be a double rounding.
 */
public final class ExactMath {

  private static final MathContext SUBNORMAL_FALLBACK = new MathContext(1100);

  private ExactMath() {}

  /** The double nearest to {@code p / q}. */
  public static double divideToDouble(BigInteger p, BigInteger q) {
    int sign = quotientSign(p, q);
    if (sign == 0) {
      return 0.0;
    }
    if (p.bitLength() <= 53 && q.bitLength() <= 53) {
      // Both are exact doubles, and IEEE 754 division is correctly rounded.
      return (double) p.longValue() / (double) q.longValue();
    }
    BigInteger a = p.abs();
    BigInteger b = q.abs();
    int s = 56 - (a.bitLength() - b.bitLength());
    double r = Math.scalb((double) stickyQuotient(a, b, s), -s - 1);
    if (r < Double.MIN_NORMAL) {
      r = new BigDecimal(a).divide(new BigDecimal(b), SUBNORMAL_FALLBACK).doubleValue();
    }
    return sign < 0 ? -r : r;
  }

  /** Magnitudes below 2^53 are exact doubles: the long overloads divide them without a BigInteger. */
  private static final long EXACT_DOUBLE = 1L << 53;

  /** The double nearest to {@code p / q}; the same value as {@link #divideToDouble(BigInteger, BigInteger)}. */
  public static double divideToDouble(long p, long q) {
    if (q != 0 && Math.abs(p) < EXACT_DOUBLE && Math.abs(q) < EXACT_DOUBLE) {
      // p == 0 gives +0.0 whatever q's sign, as the BigInteger form does.
      return p == 0 ? 0.0 : (double) p / (double) q;
    }
    return divideToDouble(BigInteger.valueOf(p), BigInteger.valueOf(q));
  }

  /** The float nearest to {@code p / q}; the same value as {@link #divideToFloat(BigInteger, BigInteger)}. */
  public static float divideToFloat(long p, long q) {
    if (q != 0 && Math.abs(p) < EXACT_DOUBLE && Math.abs(q) < EXACT_DOUBLE) {
      return p == 0 ? 0.0f : (float) ((double) p / (double) q);
    }
    return divideToFloat(BigInteger.valueOf(p), BigInteger.valueOf(q));
  }

  /** The float nearest to {@code p / q}. */
  public static float divideToFloat(BigInteger p, BigInteger q) {
    int sign = quotientSign(p, q);
    if (sign == 0) {
      return 0.0f;
    }
    if (p.bitLength() <= 53 && q.bitLength() <= 53) {
      // A correctly rounded double quotient rounded again to float is still correctly rounded:
      // 53 >= 2 x 24 + 2 bits (Figueroa, "When is double rounding innocuous?", 1995).
      return (float) ((double) p.longValue() / (double) q.longValue());
    }
    BigInteger a = p.abs();
    BigInteger b = q.abs();
    int s = 27 - (a.bitLength() - b.bitLength());
    float r = Math.scalb((float) stickyQuotient(a, b, s), -s - 1);
    if (r < Float.MIN_NORMAL) {
      r = new BigDecimal(a).divide(new BigDecimal(b), SUBNORMAL_FALLBACK).floatValue();
    }
    return sign < 0 ? -r : r;
  }

  private static int quotientSign(BigInteger p, BigInteger q) {
    if (q.signum() == 0) {
      throw new ArithmeticException("[BUG] division by zero reached ExactMath");
    }
    return p.signum() * q.signum();
  }

  /**
   * floor(a * 2^s / b) * 2, plus 1 when the division is inexact. With s chosen so the quotient has
   * two bits more than the target precision, the low bit breaks every tie the one rounding sees.
   */
  private static long stickyQuotient(BigInteger a, BigInteger b, int s) {
    BigInteger[] qr = s >= 0 ? a.shiftLeft(s).divideAndRemainder(b) : a.divideAndRemainder(b.shiftLeft(-s));
    return (qr[0].longValueExact() << 1) | (qr[1].signum() != 0 ? 1 : 0);
  }

  /** The double nearest to the square root of {@code p / q}, which must be at least zero. */
  public static double sqrtToDouble(BigInteger p, BigInteger q) {
    if (q.signum() < 0) {
      p = p.negate();
      q = q.negate();
    }
    if (p.signum() < 0 || q.signum() == 0) {
      throw new ArithmeticException("[BUG] square root of " + p + "/" + q);
    }
    if (p.signum() == 0) {
      return 0.0;
    }
    // floor(sqrt(X)) == floor(sqrt(floor(X))) for real X >= 0, and sqrt(X) is exact only when X is
    // an integer perfect square, so the sticky bit is exact.
    int k = 57 - Math.floorDiv(p.bitLength() - q.bitLength(), 2);
    BigInteger[] xr = k >= 0 ? p.shiftLeft(2 * k).divideAndRemainder(q) : p.divideAndRemainder(q.shiftLeft(-2 * k));
    BigInteger[] sr = xr[0].sqrtAndRemainder();
    boolean inexact = xr[1].signum() != 0 || sr[1].signum() != 0;
    long m = (sr[0].longValueExact() << 1) | (inexact ? 1 : 0);
    double r = Math.scalb((double) m, -k - 1);
    if (r < Double.MIN_NORMAL) {
      r = new BigDecimal(p).divide(new BigDecimal(q), SUBNORMAL_FALLBACK).sqrt(SUBNORMAL_FALLBACK).doubleValue();
    }
    return r;
  }

  /** {@code value} as the exact rational unscaled / 10^scale: the numerator. */
  public static BigInteger numerator(BigDecimal value) {
    return value.scale() >= 0 ? value.unscaledValue() : value.unscaledValue().multiply(BigInteger.TEN.pow(-value.scale()));
  }

  /** {@code value} as the exact rational unscaled / 10^scale: the denominator. */
  public static BigInteger denominator(BigDecimal value) {
    return value.scale() >= 0 ? BigInteger.TEN.pow(value.scale()) : BigInteger.ONE;
  }
}
