package dev.featurepipe.extract;

import java.math.BigDecimal;
import java.time.Instant;

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

}
