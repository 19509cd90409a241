package dev.featurepipe.infra.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.ops.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * A deterministic demo clickstream for one date: the same {@link Spec} always gives the same lines
 * and the same gzip bytes. Events skew towards popular products and active users (a Zipf-like
 * draw), about 1 in 200 valid events is replayed (same event id, same content), and {@code badLines}
 * deliberately broken lines of known kinds are mixed in.
 */
public final class ClickstreamGenerator {

  /** What to generate. */
  public record Spec(long seed, LocalDate date, int events, int objects, int products, int users, int badLines) {
    public Spec {
      if (events < 0 || objects < 1 || products < 1 || users < 1 || badLines < 0) {
        throw new IllegalArgumentException("events >= 0, objects >= 1, products >= 1, users >= 1, badLines >= 0; got "
            + this);
      }
    }

    public static Spec demo(LocalDate date, int events) {
      return new Spec(42L, date, events, Math.max(1, Math.min(64, events / 50_000 + 4)),
          Math.max(10, events / 200), Math.max(10, events / 20), Math.max(5, events / 10_000));
    }
  }

  /** One source object: its key under the source bucket and its gzip bytes. */
  public record SourceObject(String key, byte[] gzip, int lines) {}

  /** Everything generated: the objects to upload, and every line for tests to reason about. */
  public record Dataset(Spec spec, List<SourceObject> objects, List<DemoLine> lines) {
    public List<DemoEvent> validEvents() {
      return lines.stream().filter(DemoLine::valid).map(DemoLine::event).toList();
    }

    public long rawBytes() {
      return objects.stream().mapToLong(o -> o.gzip().length).sum();
    }
  }

  static final String[] TYPES = {"view", "click", "add_to_cart", "purchase"};

  private ClickstreamGenerator() {}

  public static Dataset generate(Spec spec, String prefix) {
    SplittableRandom rnd = new SplittableRandom(spec.seed());
    long[] priceCents = listPriceCents(spec, rnd);
    List<List<String>> texts = new ArrayList<>();
    List<List<DemoEvent>> events = new ArrayList<>();
    List<List<String>> reasons = new ArrayList<>();
    for (int o = 0; o < spec.objects(); o++) {
      texts.add(new ArrayList<>());
      events.add(new ArrayList<>());
      reasons.add(new ArrayList<>());
    }
    long dayStartMillis = spec.date().atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    DemoEvent last = null;
    for (int i = 0; i < spec.events(); i++) {
      int object = rnd.nextInt(spec.objects());
      DemoEvent e;
      if (last != null && rnd.nextInt(200) == 0) {
        e = last; // a replay: the producer sent the same event twice
      } else {
        int product = skewed(rnd, spec.products());
        int user = skewed(rnd, spec.users());
        double u = rnd.nextDouble();
        String type = u < 0.70 ? TYPES[0] : u < 0.90 ? TYPES[1] : u < 0.97 ? TYPES[2] : TYPES[3];
        boolean purchase = type.equals("purchase");
        BigDecimal price = purchase || rnd.nextInt(4) == 0 ? BigDecimal.valueOf(priceCents[product], 2) : null;
        int quantity = purchase ? 1 + rnd.nextInt(3) : 1;
        e = new DemoEvent(
            String.format(Locale.ROOT, "e-%d-%08d", spec.seed(), i),
            Instant.ofEpochMilli(dayStartMillis + rnd.nextLong(86_400_000L)),
            userId(user), productId(product), type, price, quantity,
            rnd.nextInt(5) == 0 ? null : String.format(Locale.ROOT, "s-%06d", rnd.nextInt(Math.max(1, spec.users() * 3))));
      }
      last = e;
      texts.get(object).add(toJson(e, rnd));
      events.get(object).add(e);
      reasons.get(object).add(null);
    }
    for (int b = 0; b < spec.badLines(); b++) {
      int object = rnd.nextInt(spec.objects());
      String[] bad = badLine(b, spec);
      texts.get(object).add(bad[0]);
      events.get(object).add(null);
      reasons.get(object).add(bad[1]);
    }
    List<SourceObject> objects = new ArrayList<>();
    List<DemoLine> lines = new ArrayList<>();
    for (int o = 0; o < spec.objects(); o++) {
      String key = prefix + "dt=" + spec.date() + "/" + String.format(Locale.ROOT, "events-%05d.jsonl.gz", o);
      // Bad lines were appended last; interleave them deterministically so they are not all at the end.
      List<Integer> order = shuffledOrder(texts.get(o).size(), new SplittableRandom(spec.seed() * 31 + o));
      StringBuilder body = new StringBuilder();
      long lineNo = 0;
      for (int idx : order) {
        lineNo++;
        body.append(texts.get(o).get(idx)).append('\n');
        lines.add(new DemoLine(key, lineNo, texts.get(o).get(idx), events.get(o).get(idx), reasons.get(o).get(idx)));
      }
      objects.add(new SourceObject(key, gzip(body.toString().getBytes(StandardCharsets.UTF_8)), order.size()));
    }
    return new Dataset(spec, objects, lines);
  }

  /**
   * Each product's list price in cents, indexed like {@link #productId}: what purchases in the
   * clickstream pay and what the demo's product catalog lists.
   */
  public static long[] listPriceCents(Spec spec) {
    return listPriceCents(spec, new SplittableRandom(spec.seed()));
  }

  /** The first draws of the clickstream's generator, so the clickstream's bytes stay as they were. */
  private static long[] listPriceCents(Spec spec, SplittableRandom rnd) {
    long[] priceCents = new long[spec.products()];
    for (int p = 0; p < spec.products(); p++) {
      priceCents[p] = 99 + rnd.nextLong(50_000);
    }
    return priceCents;
  }

  public static String productId(int p) {
    // Every 97th product has a non-ASCII id: keys must survive S3 keys, Parquet and DynamoDB intact.
    return p % 97 == 13 ? String.format(Locale.ROOT, "prod-ü-%05d", p) : String.format(Locale.ROOT, "prod-%05d", p);
  }

  public static String userId(int u) {
    return String.format(Locale.ROOT, "user-%07d", u);
  }

  /** Approximately Zipf: index i has weight about 1/(i+1). */
  static int skewed(SplittableRandom rnd, int n) {
    double x = Math.exp(rnd.nextDouble() * Math.log(n + 1.0)) - 1.0;
    return Math.min(n - 1, (int) x);
  }

  private static String toJson(DemoEvent e, SplittableRandom rnd) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("event_id", e.eventId());
    n.put("event_time", e.eventTime().toString());
    n.put("user_id", e.userId());
    n.put("product_id", e.productId());
    n.put("event_type", e.eventType());
    if (e.price() != null) {
      n.put("price", e.price());
    }
    if (e.quantity() != 1 || rnd.nextBoolean()) {
      n.put("quantity", e.quantity());
    }
    if (e.sessionId() != null) {
      n.put("session_id", e.sessionId());
    }
    n.put("user_agent", "demo/1.0");
    return n.toString();
  }

  /** {line text, expected quarantine reason}, cycling through the kinds of damage real feeds show. */
  private static String[] badLine(int i, Spec spec) {
    String t = spec.date() + "T12:00:00Z";
    return switch (i % 6) {
      case 0 -> new String[] {"{\"event_id\": \"bad-" + i + "\", \"event_time\": \"" + t + "\", \"user_id\": ", "invalid_json"};
      case 1 -> new String[] {"{\"event_id\":\"bad-" + i + "\",\"event_time\":\"" + t
          + "\",\"user_id\":\"user-0000001\",\"event_type\":\"view\"}", "missing_field"};
      case 2 -> new String[] {"{\"event_id\":\"bad-" + i + "\",\"event_time\":\"" + t
          + "\",\"user_id\":\"user-0000001\",\"product_id\":\"prod-00001\",\"event_type\":\"hover\"}", "invalid_value"};
      // From the future (a skewed client clock): quarantined whatever lateness the source allows.
      case 3 -> new String[] {"{\"event_id\":\"bad-" + i + "\",\"event_time\":\"" + spec.date().plusDays(1)
          + "T00:00:00Z\",\"user_id\":\"user-0000001\",\"product_id\":\"prod-00001\",\"event_type\":\"view\"}",
          "event_time_outside_partition"};
      case 4 -> new String[] {"{\"event_id\":\"bad-" + i + "\",\"event_time\":\"" + t
          + "\",\"user_id\":\"user-0000001\",\"product_id\":\"prod-00001\",\"event_type\":\"purchase\",\"price\":-5}",
          "invalid_value"};
      default -> new String[] {"[\"not\", \"an\", \"object\"]", "not_an_object"};
    };
  }

  private static List<Integer> shuffledOrder(int n, SplittableRandom rnd) {
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = order.get(i);
      order.set(i, order.get(j));
      order.set(j, tmp);
    }
    return order;
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
