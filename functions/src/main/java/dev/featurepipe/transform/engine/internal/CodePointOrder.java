package dev.featurepipe.transform.engine.internal;

import java.util.Comparator;

/**
 * Strings in Unicode code point order, which is UTF-8 byte order and so the order of Iceberg's
 * {@code Comparators.charSequences()} and of Parquet statistics. {@link String#compareTo} is UTF-16
 * order, which differs only when surrogates (U+D800..DFFF, halves of code points above U+FFFF) meet
 * U+E000..FFFF at the first differing char; this shifts exactly those before comparing (the usual
 * "UTF-16 in code point order" fix-up). Iceberg's comparator checks surrogates at every char and was
 * 20% of the window merge's CPU time in EngineBench; this one only looks at the first difference.
 */
final class CodePointOrder implements Comparator<Object> {

  static final CodePointOrder INSTANCE = new CodePointOrder();

  private CodePointOrder() {}

  @Override
  public int compare(Object x, Object y) {
    CharSequence a = (CharSequence) x;
    CharSequence b = (CharSequence) y;
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(i);
      char cb = b.charAt(i);
      if (ca != cb) {
        return fixUp(ca) - fixUp(cb);
      }
    }
    return a.length() - b.length();
  }

  /**
   * True for a {@link String} whose chars are all below U+D800: between two such strings this order
   * is {@link String#compareTo}, since {@link #fixUp} changes only chars from U+D800 up.
   */
  static boolean isBelowSurrogates(Object value) {
    if (!(value instanceof String s)) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0xD800) {
        return false;
      }
    }
    return true;
  }

  private static int fixUp(char c) {
    if (c < 0xD800) {
      return c;
    }
    return c >= 0xE000 ? c - 0x800 : c + 0x2000;
  }
}
