package dev.featurepipe.transform.engine;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.featurepipe.extract.ClickstreamSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/** Seeded clickstream and catalog rows with the awkward cases the engine must get right, and the test spec. */
final class EngineFixtures {

  static final Schema PRODUCTS = new Schema(
      required(1, "product_id", Types.StringType.get()),
      optional(2, "category", Types.StringType.get()),
      optional(3, "title", Types.StringType.get()));

  static final LocalDate AS_OF = LocalDate.of(2026, 3, 31);

  static final List<String> CATEGORIES = List.of("electronics", "books", "home", "toys", "jeux-vidéo", "家居");

  /** Every aggregate and derived kind, a join, a group filter, where filters, four windows and a vector. */
  static final String USER_ACTIVITY = """
      name: user_activity
      version: 1
      entity: user_id
      source: clickstream
      event_time: event_time
      dedupe_by: event_id
      joins:
        - {source: products, key: product_id, columns: [category]}
      filter: {column: event_type, in: [view, click, add_to_cart, purchase]}
      windows: [1d, 7d, 30d, lifetime]
      features:
        - {name: events, agg: count}
        - {name: views, agg: count, where: {column: event_type, in: [view]}}
        - {name: clicks, agg: count, where: {column: event_type, in: [click]}}
        - {name: add_to_carts, agg: count, where: {column: event_type, in: [add_to_cart]}}
        - {name: purchases, agg: count, where: {column: event_type, in: [purchase]}}
        - {name: priced, agg: count, column: price}
        - {name: revenue, agg: sum, column: price, times: quantity, where: {column: event_type, in: [purchase]}}
        - {name: price_total, agg: sum, column: price}
        - {name: quantity_total, agg: sum, column: quantity}
        - {name: avg_price, agg: mean, column: price}
        - {name: min_price, agg: min, column: price}
        - {name: max_price, agg: max, column: price}
        - {name: distinct_products, agg: count_distinct, column: product_id}
        - {name: last_event, agg: last, column: event_type}
        - {name: last_price, agg: last, column: price}
        - {name: price_std, agg: stddev, column: price}
        - {name: top_categories, agg: top_k, column: category, k: 3}
        - {name: ctr, ratio: [clicks, views], on_zero: null}
        - {name: conversion, ratio: [purchases, clicks], on_zero: zero}
        - {name: cart_minus_buy, difference: [add_to_carts, purchases]}
        - {name: revenue_minus_total, difference: [revenue, price_total]}
      vector: {name: category_profile, column: category, vocabulary: [electronics, books, home, toys, jeux-vidéo, 家居],
               normalize: l1, window: 30d}
      """;

  private EngineFixtures() {}

  static JsonNode yaml(String text) {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static FeatureGroupSpec userActivity() {
    return FeatureGroupSpec.parse(yaml(USER_ACTIVITY), ClickstreamSchema.BRONZE, Map.of("products", PRODUCTS), 90);
  }

  /** Products p0..p39; p35.. are missing from the catalog, p30..p34 have no category. */
  static List<Record> products() {
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < 35; i++) {
      GenericRecord r = GenericRecord.create(PRODUCTS);
      r.set(0, "p" + i);
      r.set(1, i >= 30 ? null : CATEGORIES.get(i % CATEGORIES.size()));
      r.set(2, "title " + i);
      out.add(r);
    }
    return out;
  }

  static TileBuilder builder(FeatureGroupSpec spec) {
    return new TileBuilder(spec, ClickstreamSchema.BRONZE, Map.of("products", products()),
        Map.of("products", PRODUCTS));
  }

  /**
   * About {@code n} Bronze rows over the 40 days before {@link #AS_OF} and 2 days after it, with
   * unicode user ids, users seen only 31+ days ago, empty days, null prices, negative and huge
   * prices, huge quantities, unknown event types and duplicated event ids (some identical, some
   * not).
   */
  static List<Record> clickstream(long seed, int n) {
    Random rnd = new Random(seed);
    String[] users = {"u-ascii", "ü-zürich", "用户-北京", "😀-emoji", "u-\u0000nul", "", "u-old-1", "u-old-2", "u-zz",
        "\uFFFD-replacement", "\uE000-private", "𝔘-surrogate"};
    String[] types = {"view", "view", "view", "click", "click", "add_to_cart", "purchase", "hover"};
    List<Record> rows = new ArrayList<>();
    OffsetDateTime start = AS_OF.minusDays(40).atStartOfDay().atOffset(ZoneOffset.UTC);
    for (int i = 0; i < n; i++) {
      int day = rnd.nextInt(43);
      if (day % 9 == 5) {
        continue; // empty days
      }
      String user = users[rnd.nextInt(users.length)];
      if (user.startsWith("u-old") && day > 9) {
        day = rnd.nextInt(10); // only before the 30-day window
      }
      long micros = rnd.nextLong(86_400_000_000L);
      if (rnd.nextInt(50) == 0) {
        micros = rnd.nextBoolean() ? 0 : 86_400_000_000L - 1; // day boundaries
      }
      GenericRecord r = GenericRecord.create(ClickstreamSchema.BRONZE);
      r.setField("event_id", "e" + i);
      r.setField("event_time", start.plusDays(day).plus(micros, ChronoUnit.MICROS));
      r.setField("user_id", user);
      r.setField("product_id", "p" + rnd.nextInt(40));
      r.setField("event_type", types[rnd.nextInt(types.length)]);
      r.setField("price", price(rnd));
      r.setField("quantity", rnd.nextInt(30) == 0 ? Integer.MAX_VALUE - rnd.nextInt(3) : 1 + rnd.nextInt(5));
      r.setField("session_id", rnd.nextInt(4) == 0 ? null : "s" + rnd.nextInt(100));
      r.setField("_source_line", (long) i + 1);
      rows.add(r);
      if (rnd.nextInt(10) == 0) {
        GenericRecord dup = (GenericRecord) r.copy();
        dup.setField("_source_line", (long) n + i + 1);
        if (rnd.nextBoolean()) {
          // A replay that differs: the canonical order decides which copy survives.
          dup.setField("event_time", ((OffsetDateTime) r.getField("event_time")).plusSeconds(rnd.nextInt(7) - 3));
          dup.setField("price", price(rnd));
          dup.setField("event_type", types[rnd.nextInt(types.length)]);
        }
        rows.add(dup);
      }
    }
    // A whale: each purchase is 9,999,999,999.99 x 2,147,483,647, beyond a long of cents on its own.
    for (int i = 0; i < 6; i++) {
      GenericRecord r = GenericRecord.create(ClickstreamSchema.BRONZE);
      r.setField("event_id", "whale-" + i);
      r.setField("event_time", start.plusDays(40 - 3 * i).plusHours(i));
      r.setField("user_id", "u-whale");
      r.setField("product_id", "p" + i);
      r.setField("event_type", "purchase");
      r.setField("price", new BigDecimal("9999999999.99"));
      r.setField("quantity", Integer.MAX_VALUE);
      r.setField("session_id", null);
      r.setField("_source_line", (long) 3 * n + i);
      rows.add(r);
    }
    return rows;
  }

  private static BigDecimal price(Random rnd) {
    int kind = rnd.nextInt(20);
    if (kind < 3) {
      return null;
    }
    if (kind == 3) {
      return new BigDecimal("9999999999.99");
    }
    if (kind == 4) {
      return BigDecimal.valueOf(-rnd.nextInt(100_000), 2);
    }
    if (kind == 5) {
      return new BigDecimal("0.01");
    }
    return BigDecimal.valueOf(rnd.nextInt(1_000_000), 2);
  }
}
