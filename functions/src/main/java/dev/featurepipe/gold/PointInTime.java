package dev.featurepipe.gold;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Which Silver day a label may see. The Silver row of {@code dt = D} holds an entity's features as
 * of the end of D (its windows end with D's last event), so D is complete at {@code D+1 00:00Z}.
 * A label at time {@code t} gets the latest day complete at or before {@code t}: the UTC date of
 * {@code t} minus one day. {@code 2026-03-05T00:00:00Z} and {@code 2026-03-05T13:00:00Z} both get
 * {@code 2026-03-04}; {@code 2026-03-04T23:59:59.999999Z} gets {@code 2026-03-03}. No feature row
 * computed from an event at or after {@code t} is ever used (no leakage).
 *
 * <p>Only that one day is read. An entity without a row at that day gets nulls, not an earlier
 * day's row: the feature engine writes a row for every entity with activity inside its longest
 * window, so a missing row means that no window of that day has anything for it, and the row of an
 * earlier day would report windows that no longer hold (a 7-day count that has since expired).
 */
public final class PointInTime {

  private PointInTime() {}

  public static LocalDate featureDate(Instant labelTime) {
    return LocalDate.ofInstant(labelTime, ZoneOffset.UTC).minusDays(1);
  }
}
