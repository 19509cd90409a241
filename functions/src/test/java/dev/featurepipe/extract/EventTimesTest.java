package dev.featurepipe.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventTimesTest {

  /** What the JDK's ISO parser says, the reference the fast path must agree with. */
  private static Instant reference(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant().truncatedTo(ChronoUnit.MICROS);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Test
  void agreesWithTheJdkParserOnRandomValidAndInvalidTimestamps() {
    SplittableRandom rnd = new SplittableRandom(20261124);
    int fastPathHits = 0;
    for (int i = 0; i < 200_000; i++) {
      String s = randomTimestamp(rnd);
      if (EventTimes.fast(s) != null) {
        fastPathHits++;
      }
      assertThat(EventTimes.parse(s)).as(s).isEqualTo(reference(s));
    }
    assertThat(fastPathHits).as("most generated strings take the fast path").isGreaterThan(100_000);
  }

  @Test
  void fractionsAreTruncatedToMicrosecondsNotRounded() {
    assertThat(EventTimes.parse("2026-11-24T10:15:00.999999999Z"))
        .isEqualTo(Instant.parse("2026-11-24T10:15:00.999999Z"));
  }

  private static String randomTimestamp(SplittableRandom rnd) {
    int year = 1969 + rnd.nextInt(80);
    int month = rnd.nextInt(20) == 0 ? rnd.nextInt(14) : 1 + rnd.nextInt(12);
    int day = rnd.nextInt(20) == 0 ? rnd.nextInt(33) : 1 + rnd.nextInt(28);
    int hour = rnd.nextInt(30) == 0 ? 24 : rnd.nextInt(24);
    int minute = rnd.nextInt(60);
    int second = rnd.nextInt(40) == 0 ? 60 : rnd.nextInt(60);
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day,
        hour, minute, second));
    int fraction = rnd.nextInt(12);
    if (fraction > 0 && fraction <= 10) {
      sb.append('.');
      for (int k = 0; k < fraction; k++) {
        sb.append((char) ('0' + rnd.nextInt(10)));
      }
    }
    switch (rnd.nextInt(8)) {
      case 0 -> sb.append(String.format(Locale.ROOT, "+%02d:%02d", rnd.nextInt(20), rnd.nextInt(60)));
      case 1 -> sb.append(String.format(Locale.ROOT, "-%02d:%02d", rnd.nextInt(20), rnd.nextInt(60)));
      case 2 -> sb.append("+05:30:15");
      case 3 -> { } // no offset: invalid for both
      case 4 -> sb.append("z");
      default -> sb.append('Z');
    }
    if (rnd.nextInt(50) == 0) {
      sb.setCharAt(rnd.nextInt(sb.length()), (char) ('!' + rnd.nextInt(90)));
    }
    return sb.toString();
  }
}
