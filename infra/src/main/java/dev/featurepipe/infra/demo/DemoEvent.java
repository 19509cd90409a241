package dev.featurepipe.infra.demo;

import java.math.BigDecimal;
import java.time.Instant;

/** A clickstream event the generator emitted as a valid line (possibly more than once: a replay). */
public record DemoEvent(
    String eventId,
    Instant eventTime,
    String userId,
    String productId,
    String eventType,
    BigDecimal price,
    int quantity,
    String sessionId) {}
