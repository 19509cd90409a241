package dev.featurepipe.transform.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.iceberg.types.Comparators;
import org.junit.jupiter.api.Test;

class CodePointOrderTest {

  private static final char[] ALPHABET = {'a', 'b', 'z', '\u0000', 'é', '\u07FF', '\uD7FF', '\uE000', '\uFFFD', '\uFFFF'};

  private static String random(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(5);
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(4) == 0) {
        sb.appendCodePoint(0x10000 + rnd.nextInt(0x10FFFF - 0x10000));
      } else {
        sb.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
      }
    }
    return sb.toString();
  }

  @Test
  void ordersLikeIcebergAndLikeUtf8Bytes() {
    Random rnd = new Random(5);
    for (int i = 0; i < 200_000; i++) {
      String a = random(rnd);
      String b = random(rnd);
      int expected = Integer.signum(Comparators.charSequences().compare(a, b));
      assertThat(Integer.signum(CodePointOrder.INSTANCE.compare(a, b))).as("%s vs %s", a, b).isEqualTo(expected);
      assertThat(Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
          b.getBytes(StandardCharsets.UTF_8)))).as("%s vs %s", a, b).isEqualTo(expected);
    }
  }

  @Test
  void stringsBelowSurrogatesCompareLikeStringCompareToAndOthersAreRecognised() {
    Random rnd = new Random(6);
    int plain = 0;
    for (int i = 0; i < 200_000; i++) {
      String a = random(rnd);
      String b = random(rnd);
      boolean below = (a + b).chars().allMatch(c -> c < 0xD800);
      assertThat(CodePointOrder.isBelowSurrogates(a) && CodePointOrder.isBelowSurrogates(b)).as("%s, %s", a, b)
          .isEqualTo(below);
      if (below) {
        plain++;
        assertThat(Integer.signum(a.compareTo(b))).as("%s vs %s", a, b)
            .isEqualTo(Integer.signum(CodePointOrder.INSTANCE.compare(a, b)));
      }
    }
    assertThat(plain).isGreaterThan(10_000);
    assertThat(CodePointOrder.isBelowSurrogates(new StringBuilder("abc"))).as("not a String").isFalse();
  }
}
