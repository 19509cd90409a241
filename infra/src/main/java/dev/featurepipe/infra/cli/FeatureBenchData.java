package dev.featurepipe.infra.cli;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.featurepipe.extract.ClickstreamSchema;
import dev.featurepipe.infra.demo.CatalogGenerator;
import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.lake.ParquetFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * The feature bench's input: the demo clickstream's shape (Zipf-like users and products, 70% views,
 * 20% clicks, 7% add-to-cart, 3% purchases at the product's list price, 1 in 200 events replayed)
 * spread evenly over {@link #DAYS} days ending at the as-of date (the feature-quality bench puts
 * them all in one day), written as Bronze Parquet (the pinned {@link ParquetFiles} writer, {@link
 * ClickstreamSchema#BRONZE}) in files of at most {@link #ROWS_PER_FILE} rows so the heap stays
 * bounded, plus the products dimension (product id to category, from {@link CatalogGenerator}).
 * Seeded: the same size always gives the same files, so a directory generated earlier for the same
 * size is reused.
 */
final class FeatureBenchData {

  static final int DAYS = 30;

  static final int ROWS_PER_FILE = 250_000;

  static final long SEED = 42L;

  static final Schema PRODUCTS = new Schema(
      required(1, "product_id", Types.StringType.get()),
      optional(2, "category", Types.StringType.get()));

  /** {@code days.get(i)} holds the Bronze files of {@code asOf - days.size() + 1 + i}. */
  record Dataset(LocalDate asOf, long rows, List<List<Path>> days, Path bronzeDir, Path products, long bronzeBytes) {}

  private FeatureBenchData() {}

  static Dataset prepare(Path dir, int events, LocalDate asOf) {
    return prepare(dir, events, asOf, DAYS);
  }

  /** {@code events} over the {@code days} days ending at {@code asOf}. */
  static Dataset prepare(Path dir, int events, LocalDate asOf, int days) {
    String marker = String.format(Locale.ROOT, "events=%d asOf=%s seed=%d days=%d rowsPerFile=%d v1%n", events, asOf,
        SEED, days, ROWS_PER_FILE);
    Path markerFile = dir.resolve("dataset.txt");
    try {
      if (!Files.exists(markerFile) || !Files.readString(markerFile).equals(marker)) {
        Main.deleteRecursively(dir);
        generate(dir, events, asOf, days);
        Files.writeString(markerFile, marker);
      }
      return scan(dir, asOf, days);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Dataset scan(Path dir, LocalDate asOf, int dayCount) throws IOException {
    List<List<Path>> days = new ArrayList<>();
    long rows = 0;
    long bytes = 0;
    for (int d = 0; d < dayCount; d++) {
      Path dayDir = dir.resolve("bronze").resolve("dt=" + asOf.minusDays(dayCount - 1L - d));
      try (Stream<Path> files = Files.list(dayDir)) {
        List<Path> sorted = files.sorted().toList();
        days.add(sorted);
        for (Path f : sorted) {
          bytes += Files.size(f);
        }
      }
    }
    rows = Long.parseLong(Files.readString(dir.resolve("rows.txt")).strip());
    return new Dataset(asOf, rows, days, dir.resolve("bronze"), dir.resolve("products.parquet"), bytes);
  }

  private static void generate(Path dir, int events, LocalDate asOf, int days) throws IOException {
    ClickstreamGenerator.Spec spec = ClickstreamGenerator.Spec.demo(asOf, events);
    long[] priceCents = ClickstreamGenerator.listPriceCents(spec);
    String[] productIds = new String[spec.products()];
    for (int p = 0; p < productIds.length; p++) {
      productIds[p] = ClickstreamGenerator.productId(p);
    }
    String[] userIds = new String[spec.users()];
    for (int u = 0; u < userIds.length; u++) {
      userIds[u] = ClickstreamGenerator.userId(u);
    }
    SplittableRandom rnd = new SplittableRandom(SEED);
    GenericRecord template = GenericRecord.create(ClickstreamSchema.BRONZE);
    long written = 0;
    long line = 0;
    for (int d = 0; d < days; d++) {
      LocalDate day = asOf.minusDays(days - 1L - d);
      Path dayDir = Files.createDirectories(dir.resolve("bronze").resolve("dt=" + day));
      OffsetDateTime start = day.atStartOfDay().atOffset(ZoneOffset.UTC);
      long dayEvents = (long) events * (d + 1) / days - (long) events * d / days;
      List<Record> chunk = new ArrayList<>();
      Record last = null;
      int part = 0;
      for (long i = 0; i < dayEvents; i++) {
        Record r;
        if (last != null && rnd.nextInt(200) == 0) {
          r = last.copy(); // a replay: same event, another source line
        } else {
          int product = skewed(rnd, productIds.length);
          double u = rnd.nextDouble();
          String type = u < 0.70 ? "view" : u < 0.90 ? "click" : u < 0.97 ? "add_to_cart" : "purchase";
          boolean purchase = type.equals("purchase");
          r = template.copy();
          r.set(0, String.format(Locale.ROOT, "e-%d-%09d", SEED, written + i));
          r.set(1, start.plus(rnd.nextLong(86_400_000_000L), ChronoUnit.MICROS));
          r.set(2, userIds[skewed(rnd, userIds.length)]);
          r.set(3, productIds[product]);
          r.set(4, type);
          r.set(5, purchase || rnd.nextInt(4) == 0 ? BigDecimal.valueOf(priceCents[product], 2) : null);
          r.set(6, purchase ? 1 + rnd.nextInt(3) : 1);
          r.set(7, rnd.nextInt(5) == 0 ? null : "s-" + rnd.nextInt(Math.max(1, userIds.length * 3)));
        }
        r.set(8, ++line);
        last = r;
        chunk.add(r);
        if (chunk.size() == ROWS_PER_FILE) {
          write(dayDir, part++, chunk);
        }
      }
      if (!chunk.isEmpty() || part == 0) {
        write(dayDir, part, chunk);
      }
      written += dayEvents;
    }
    Files.writeString(dir.resolve("rows.txt"), written + "\n");

    List<Record> products = new ArrayList<>();
    GenericRecord productTemplate = GenericRecord.create(PRODUCTS);
    for (CatalogGenerator.Product p : CatalogGenerator.generate(CatalogGenerator.Spec.of(spec)).products()) {
      Record r = productTemplate.copy();
      r.set(0, p.productId());
      r.set(1, p.category());
      products.add(r);
    }
    Files.write(dir.resolve("products.parquet"), ParquetFiles.write(PRODUCTS, products));
  }

  private static void write(Path dayDir, int part, List<Record> chunk) throws IOException {
    Files.write(dayDir.resolve(String.format(Locale.ROOT, "part-%05d.parquet", part)),
        ParquetFiles.write(ClickstreamSchema.BRONZE, chunk));
    chunk.clear();
  }

  /** As the demo generator draws users and products: index i with weight about 1/(i+1). */
  private static int skewed(SplittableRandom rnd, int n) {
    return Math.min(n - 1, (int) (Math.exp(rnd.nextDouble() * Math.log(n + 1.0)) - 1.0));
  }

  /** Every row of {@code files}, in file order. */
  static List<Record> read(List<Path> files, Schema schema) {
    List<Record> rows = new ArrayList<>();
    for (Path f : files) {
      try (CloseableIterable<Record> it = ParquetFiles.stream(f, schema)) {
        // The reader does not reuse containers (no reuseContainers()), so each record is its own.
        it.forEach(rows::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return rows;
  }
}
