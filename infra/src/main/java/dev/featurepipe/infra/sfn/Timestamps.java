package dev.featurepipe.infra.sfn;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Parsing helpers shared by the Choice and Wait states. */
final class Timestamps {

  private Timestamps() {}

  /**
   * Parses an RFC 3339 timestamp the way ASL requires it (uppercase {@code T} between date and
   * time, uppercase {@code Z} or a numeric offset); returns {@code null} when the text is not one.
   */
  static Instant parse(String text) {
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Compiles a {@code StringMatches} pattern: {@code *} matches any run of characters, {@code \*}
   * a literal asterisk and {@code \\} a literal backslash; everything else matches itself.
   */
  static Pattern wildcard(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        if (i + 1 >= pattern.length() || (pattern.charAt(i + 1) != '*' && pattern.charAt(i + 1) != '\\')) {
          throw new IllegalArgumentException(
              "invalid StringMatches pattern '" + pattern + "': a backslash must escape '*' or '\\'");
        }
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '*') {
        regex.append(".*");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
