package dev.featurepipe.extract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * Parses one JSON line of {@code clickstream_event_v1} strictly, with a streaming parser (no tree
 * per line). A line is either a {@link ClickEvent} or a {@link Rejection}; nothing is dropped.
 *
 * <p>Accepted: ids as strings or integers (kept as their decimal text), {@code event_time} as
 * ISO-8601 with offset (stored in UTC, truncated to microseconds, Parquet's precision), {@code
 * price} as a number or numeric string with at most 2 decimals, {@code quantity} defaulting to 1.
 * Unknown fields are ignored; a repeated field is rejected (which copy would win is ambiguous).
 */
public final class ClickstreamParser {

  public static final Set<String> EVENT_TYPES = Set.of("view", "click", "add_to_cart", "purchase");
  static final int MAX_ID_LENGTH = 256;
  static final int MAX_QUANTITY = 1_000_000;
  /** decimal(12,2): at most 10 integer digits. */
  static final BigDecimal MAX_PRICE = new BigDecimal("9999999999.99");

  /**
   * Duplicate keys are detected for the fields we read (a bit per field) rather than with Jackson's
   * STRICT_DUPLICATE_DETECTION, which keeps a set per object and cost a third of the parse time.
   */
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  /** Either {@code event} or {@code rejection} is set. */
  public record Result(ClickEvent event, Rejection rejection) {}

  private final LocalDate partitionDate;
  private final LocalDate earliest;

  /** Strict: only events of the partition date itself. */
  public ClickstreamParser(LocalDate partitionDate) {
    this(partitionDate, 0);
  }

  /**
   * {@code allowedLatenessDays}: events of up to that many days before the partition date are late,
   * not wrong: they are kept and land in their own day's tiles. Events after the partition date, or
   * older than that, are quarantined.
   */
  public ClickstreamParser(LocalDate partitionDate, int allowedLatenessDays) {
    if (allowedLatenessDays < 0) {
      throw new IllegalArgumentException("[BUG] allowed lateness must be >= 0, got " + allowedLatenessDays);
    }
    this.partitionDate = partitionDate;
    this.earliest = partitionDate.minusDays(allowedLatenessDays);
  }

  public Result parse(byte[] buf, int off, int len, long lineNo) {
    try (JsonParser p = FACTORY.createParser(buf, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return reject("not_an_object", "line is not a JSON object");
      }
      String eventId = null;
      String eventTime = null;
      String userId = null;
      String productId = null;
      String eventType = null;
      BigDecimal price = null;
      Integer quantity = null;
      String sessionId = null;
      JsonToken t;
      int seen = 0;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        int bit = bit(name);
        if (bit != 0) {
          if ((seen & bit) != 0) {
            return reject("duplicate_field", "Duplicate field '" + name + "'");
          }
          seen |= bit;
        }
        switch (name) {
          case "event_id" -> eventId = id(p, v);
          case "event_time" -> eventTime = v == JsonToken.VALUE_STRING ? p.getText() : wrong(name);
          case "user_id" -> userId = id(p, v);
          case "product_id" -> productId = id(p, v);
          case "event_type" -> eventType = v == JsonToken.VALUE_STRING ? p.getText() : wrong(name);
          case "price" -> price = v == JsonToken.VALUE_NULL ? null : decimal(p, v);
          case "quantity" -> quantity = v == JsonToken.VALUE_NULL ? null : integer(p, v);
          case "session_id" ->
              sessionId = v == JsonToken.VALUE_NULL ? null
                  : v == JsonToken.VALUE_STRING ? p.getText() : wrong(name);
          default -> p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return reject("invalid_json", "trailing content after the JSON object");
      }
      return build(eventId, eventTime, userId, productId, eventType, price, quantity, sessionId, lineNo);
    } catch (FieldError e) {
      return reject(e.reason, e.getMessage());
    } catch (IOException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage();
      if (msg.contains("Invalid UTF-8")) {
        return reject("invalid_utf8", "line is not valid UTF-8");
      }
      return reject("invalid_json", "not valid JSON");
    }
  }

  private Result build(
      String eventId, String eventTime, String userId, String productId, String eventType,
      BigDecimal price, Integer quantity, String sessionId, long lineNo) {
    if (eventId == null) return reject("missing_field", "event_id is required");
    if (eventTime == null) return reject("missing_field", "event_time is required");
    if (userId == null) return reject("missing_field", "user_id is required");
    if (productId == null) return reject("missing_field", "product_id is required");
    if (eventType == null) return reject("missing_field", "event_type is required");
    if (!EVENT_TYPES.contains(eventType)) {
      return reject("invalid_value", "event_type must be one of add_to_cart, click, purchase, view");
    }
    Instant time = EventTimes.parse(eventTime);
    if (time == null) {
      return reject("invalid_value", "event_time must be ISO-8601 with an offset, like 2026-11-24T10:15:00Z");
    }
    LocalDate day = time.atOffset(ZoneOffset.UTC).toLocalDate();
    if (day.isAfter(partitionDate)) {
      return reject("event_time_outside_partition",
          "event_time is after the partition date " + partitionDate + " (UTC): an event from the future");
    }
    if (day.isBefore(earliest)) {
      return reject("event_time_outside_partition", earliest.equals(partitionDate)
          ? "event_time is not on the partition date " + partitionDate + " (UTC)"
          : "event_time is before " + earliest + ", more than the source's allowed_lateness_days before the "
              + "partition date " + partitionDate + " (UTC)");
    }
    if (price != null) {
      if (price.signum() < 0) return reject("invalid_value", "price must be >= 0");
      if (price.stripTrailingZeros().scale() > 2) return reject("invalid_value", "price must have at most 2 decimals");
      if (price.compareTo(MAX_PRICE) > 0) return reject("invalid_value", "price must be <= " + MAX_PRICE);
      price = price.setScale(2);
    } else if (eventType.equals("purchase")) {
      return reject("missing_field", "price is required for purchase events");
    }
    int qty = quantity == null ? 1 : quantity;
    if (qty < 1 || qty > MAX_QUANTITY) {
      return reject("invalid_value", "quantity must be between 1 and " + MAX_QUANTITY);
    }
    return new Result(
        new ClickEvent(eventId, time, userId, productId, eventType, price, qty, sessionId, lineNo), null);
  }

  private static String id(JsonParser p, JsonToken v) throws IOException {
    String name = p.currentName();
    String value;
    if (v == JsonToken.VALUE_STRING) {
      value = p.getText();
    } else if (v == JsonToken.VALUE_NUMBER_INT) {
      value = p.getText(); // JSON integers have one spelling (no leading zeros, no +)
    } else if (v == JsonToken.VALUE_NULL) {
      return null;
    } else {
      throw new FieldError("wrong_type", name + " must be a string or an integer");
    }
    if (value.isEmpty() || value.length() > MAX_ID_LENGTH || value.isBlank()) {
      throw new FieldError("invalid_value", name + " must be 1 to " + MAX_ID_LENGTH + " characters, not blank");
    }
    return value;
  }

  private static BigDecimal decimal(JsonParser p, JsonToken v) throws IOException {
    try {
      return switch (v) {
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDecimalValue();
        case VALUE_STRING -> new BigDecimal(p.getText().trim());
        default -> throw new FieldError("wrong_type", p.currentName() + " must be a number");
      };
    } catch (NumberFormatException e) {
      throw new FieldError("wrong_type", p.currentName() + " must be a number");
    }
  }

  private static Integer integer(JsonParser p, JsonToken v) throws IOException {
    if (v != JsonToken.VALUE_NUMBER_INT) {
      throw new FieldError("wrong_type", p.currentName() + " must be an integer");
    }
    BigInteger value = p.getBigIntegerValue();
    if (value.bitLength() > 31) {
      throw new FieldError("invalid_value", p.currentName() + " must be between 1 and " + MAX_QUANTITY);
    }
    return value.intValue();
  }

  private static int bit(String field) {
    return switch (field) {
      case "event_id" -> 1;
      case "event_time" -> 2;
      case "user_id" -> 4;
      case "product_id" -> 8;
      case "event_type" -> 16;
      case "price" -> 32;
      case "quantity" -> 64;
      case "session_id" -> 128;
      default -> 0;
    };
  }

  private static String wrong(String field) {
    throw new FieldError("wrong_type", field + " must be a string");
  }

  private static Result reject(String reason, String detail) {
    return new Result(null, Rejection.of(reason, detail));
  }

  /** Unchecked so the field switch stays flat; never escapes {@link #parse}. */
  private static final class FieldError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String reason;

    FieldError(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }
}
