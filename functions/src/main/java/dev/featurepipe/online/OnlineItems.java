package dev.featurepipe.online;

import java.time.LocalDate;
import java.time.ZoneOffset;

/** Key layout of the DynamoDB feature table (DESIGN.md section 3). */
public final class OnlineItems {

  public static final String PK = "pk";
  public static final String SK = "sk";
  public static final String AS_OF = "as_of";
  public static final String RUN_ID = "run_id";
  public static final String TTL = "ttl";
  public static final String META_SK = "meta";

  private OnlineItems() {}

  public static String productKey(String productId) {
    return "p:feat:" + productId;
  }

  public static String userKey(String userId) {
    return "u:feat:" + userId;
  }

  /** {@code u:feat:} for {@code user_id}, {@code p:feat:} for {@code product_id}, else {@code <entity>:feat:}. */
  public static String keyPrefix(String entity) {
    return switch (entity) {
      case "user_id" -> "u:feat:";
      case "product_id" -> "p:feat:";
      default -> entity + ":feat:";
    };
  }

  public static String metaKey(String versionedGroup) {
    return "meta:" + versionedGroup;
  }

  /**
   * Expiry in epoch seconds: {@code ttlDays} after the end of the feature date. Derived from the
   * date, not the clock, so a rerun writes the same item.
   */
  public static long ttlEpochSeconds(LocalDate asOf, int ttlDays) {
    return asOf.plusDays(1L + ttlDays).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
  }
}
