package dev.featurepipe.transform.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Correct rounding checked two independent ways: against the JDK's decimal conversion of a
 * 1100-digit quotient (too many digits for a double rounding to matter), and by exact comparison
 * with the midpoints to the neighbouring doubles.
 */
class ExactMathTest {

  private static final MathContext WIDE = new MathContext(1100);

  private static BigInteger random(Random rnd) {
    BigInteger v = new BigInteger(1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 200), rnd);
    return rnd.nextBoolean() ? v.negate() : v;
  }

  @Test
  void quotientsAreRoundedOnceToTheNearestDoubleAndFloat() {
    Random rnd = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      BigInteger p = random(rnd);
      BigInteger q = random(rnd);
      if (q.signum() == 0) {
        continue;
      }
      BigDecimal exact = new BigDecimal(p).divide(new BigDecimal(q), WIDE);
      assertThat(ExactMath.divideToDouble(p, q)).as("%s / %s", p, q).isEqualTo(exact.doubleValue());
      assertThat(ExactMath.divideToFloat(p, q)).as("%s / %s", p, q).isEqualTo(exact.floatValue());
    }
  }

  @Test
  void tiesBetweenTwoDoublesRoundToEven() {
    // 2^53 + 1 is halfway between 2^53 and 2^53 + 2; (2^53 + 3) halfway between 2^53 + 2 and + 4.
    BigInteger two53 = BigInteger.ONE.shiftLeft(53);
    assertThat(ExactMath.divideToDouble(two53.add(BigInteger.ONE), BigInteger.ONE)).isEqualTo(0x1p53);
    assertThat(ExactMath.divideToDouble(two53.add(BigInteger.valueOf(3)), BigInteger.ONE)).isEqualTo(0x1p53 + 4);
    // Just above the tie must round up: the sticky bit.
    BigInteger justAbove = two53.add(BigInteger.ONE).multiply(BigInteger.TEN.pow(30)).add(BigInteger.ONE);
    assertThat(ExactMath.divideToDouble(justAbove, BigInteger.TEN.pow(30))).isEqualTo(0x1p53 + 2);
  }

  @Test
  void squareRootsAreTheNearestDouble() {
    Random rnd = new Random(12);
    for (int i = 0; i < 20_000; i++) {
      BigInteger p = random(rnd).abs();
      BigInteger q = random(rnd).abs().add(BigInteger.ONE);
      double d = ExactMath.sqrtToDouble(p, q);
      BigDecimal lo = new BigDecimal(d).add(new BigDecimal(Math.nextDown(d))).divide(BigDecimal.TWO).max(BigDecimal.ZERO);
      BigDecimal hi = new BigDecimal(d).add(new BigDecimal(Math.nextUp(d))).divide(BigDecimal.TWO);
      BigDecimal bp = new BigDecimal(p);
      BigDecimal bq = new BigDecimal(q);
      assertThat(lo.multiply(lo).multiply(bq)).as("sqrt(%s / %s) = %s", p, q, d).isLessThanOrEqualTo(bp);
      assertThat(hi.multiply(hi).multiply(bq)).as("sqrt(%s / %s) = %s", p, q, d).isGreaterThanOrEqualTo(bp);
    }
    assertThat(ExactMath.sqrtToDouble(BigInteger.valueOf(9), BigInteger.valueOf(4))).isEqualTo(1.5);
  }
}
