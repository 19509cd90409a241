package dev.featurepipe.extract;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;

/** One valid clickstream event. {@code price} is null when absent; scale is always 2. */
public record ClickEvent(
    String eventId,
    Instant eventTime,
    String userId,
    String productId,
    String eventType,
    BigDecimal price,
    int quantity,
    String sessionId,
    long sourceLine) {

  /**
   * Bronze row order: a total order, so sorting never depends on input order. Written out rather
   * than as a Comparator.comparing chain, which was a tenth of the Extract time.
   */
  public static final Comparator<ClickEvent> BRONZE_ORDER =
      (a, b) -> {
        int c = a.eventTime.compareTo(b.eventTime);
        if (c != 0) {
          return c;
        }
        c = a.eventId.compareTo(b.eventId);
        return c != 0 ? c : Long.compare(a.sourceLine, b.sourceLine);
      };
}
