package dev.featurepipe.infra.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.ops.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo's product catalog, deterministic: the same {@link Spec} always gives the same records
 * in the same order. One product per clickstream product id ({@link ClickstreamGenerator#productId},
 * priced at the clickstream's list price), as JSON records the {@link CatalogApi} serves, with
 * {@code brokenRecords} deliberately bad records spread among them: a price that is not a number
 * ({@code wrong_type}) or a record without its id ({@code missing_field}).
 */
public final class CatalogGenerator {

  /** What to generate; {@link #of} matches a clickstream's products and prices. */
  public record Spec(ClickstreamGenerator.Spec clicks, int brokenRecords) {
    public Spec {
      if (clicks == null || brokenRecords < 0) {
        throw new IllegalArgumentException("clicks set, brokenRecords >= 0; got " + clicks + ", " + brokenRecords);
      }
    }

    public static Spec of(ClickstreamGenerator.Spec clicks) {
      return new Spec(clicks, Math.max(2, clicks.products() / 250));
    }
  }

  /** A product as the pipeline should land it in Bronze; {@code brand} and {@code rating} may be null. */
  public record Product(
      String productId,
      String title,
      String category,
      String brand,
      BigDecimal price,
      String currency,
      boolean inStock,
      Double rating,
      Instant updatedAt) {}

  /**
   * {@code products}: the good ones, by index. {@code records}: every record the API serves, in
   * serving order, as JSON text. {@code brokenReasons}: the quarantine reason of each broken record,
   * in serving order.
   */
  public record Dataset(Spec spec, List<Product> products, List<String> records, List<String> brokenReasons) {
    public Dataset {
      products = List.copyOf(products);
      records = List.copyOf(records);
      brokenReasons = List.copyOf(brokenReasons);
    }
  }

  static final List<String> CATEGORIES =
      List.of("electronics", "home", "kitchen", "books", "toys", "sports", "beauty", "garden");

  static final List<String> BRANDS = List.of("Acme", "Nordlys", "Kōgei", "Böhm & Co", "Sol y Sombra", "Zenith");

  static final List<String> ADJECTIVES = List.of("Compact", "Crème", "Öko", "Classic", "Ultra", "Señorita", "Smart");

  static final List<String> NOUNS = List.of("Kettle", "Lamp", "Rucksack", "Novel", "Blender", "Yo-yo", "Façade Kit",
      "Headphones", "Trowel", "Serum");

  private CatalogGenerator() {}

  public static Dataset generate(Spec spec) {
    ClickstreamGenerator.Spec clicks = spec.clicks();
    long[] priceCents = ClickstreamGenerator.listPriceCents(clicks);
    // Its own stream, so the catalog never changes the clickstream's bytes or the users table.
    SplittableRandom rnd = new SplittableRandom(clicks.seed() * 1_000_003L + 29);
    Instant since = clicks.date().minusDays(30).atStartOfDay().toInstant(ZoneOffset.UTC);
    long spanSeconds = 30L * 86_400;
    List<Product> products = new ArrayList<>(clicks.products());
    for (int p = 0; p < clicks.products(); p++) {
      products.add(new Product(
          ClickstreamGenerator.productId(p),
          ADJECTIVES.get(rnd.nextInt(ADJECTIVES.size())) + " " + NOUNS.get(rnd.nextInt(NOUNS.size())) + " " + (p % 50),
          CATEGORIES.get(ClickstreamGenerator.skewed(rnd, CATEGORIES.size())),
          rnd.nextInt(10) == 0 ? null : BRANDS.get(rnd.nextInt(BRANDS.size())),
          BigDecimal.valueOf(priceCents[p], 2),
          "EUR",
          rnd.nextInt(100) < 85,
          rnd.nextInt(5) == 0 ? null : (10 + rnd.nextInt(41)) / 10.0,
          since.plusSeconds(rnd.nextLong(spanSeconds))));
    }
    List<String> records = new ArrayList<>(products.size() + spec.brokenRecords());
    List<String> reasons = new ArrayList<>();
    int gap = products.size() / (spec.brokenRecords() + 1) + 1;
    int broken = 0;
    for (int p = 0; p < products.size() || broken < spec.brokenRecords(); p++) {
      if (broken < spec.brokenRecords() && (p % gap == gap - 1 || p >= products.size())) {
        Product like = products.get(Math.min(p, products.size() - 1));
        ObjectNode bad = json(new Product(ClickstreamGenerator.productId(clicks.products() + broken), like.title(),
            like.category(), like.brand(), like.price(), like.currency(), false, null, like.updatedAt()));
        if (broken % 2 == 0) {
          bad.withObject("/price").put("amount", "call us");
          reasons.add("wrong_type");
        } else {
          bad.remove("product_id");
          reasons.add("missing_field");
        }
        records.add(bad.toString());
        broken++;
      }
      if (p < products.size()) {
        records.add(json(products.get(p)).toString());
      }
    }
    return new Dataset(spec, products, records, reasons);
  }

  /** The API's shape: price nested with its currency, as many commerce APIs send money. */
  private static ObjectNode json(Product p) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("product_id", p.productId());
    n.put("title", p.title());
    n.put("category", p.category());
    if (p.brand() == null) {
      n.putNull("brand");
    } else {
      n.put("brand", p.brand());
    }
    n.putObject("price").put("amount", p.price()).put("currency", p.currency());
    n.put("in_stock", p.inStock());
    if (p.rating() != null) {
      n.put("rating", p.rating());
    }
    n.put("updated_at", p.updatedAt().toString());
    return n;
  }
}
