package dev.featurepipe.extract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.lake.ParquetFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillingSorterTest {

  /** Clickstream rows in a seeded shuffled order; the order below has many ties (13 products). */
  private static List<Record> shuffledRows(int n, long seed) {
    List<Record> rows = new ArrayList<>();
    Random random = new Random(seed);
    for (int i = 0; i < n; i++) {
      GenericRecord r = GenericRecord.create(ClickstreamSchema.BRONZE);
      r.setField("event_id", "e" + random.nextInt(1_000_000));
      r.setField("event_time", java.time.OffsetDateTime.of(2026, 11, 24, random.nextInt(24), 0, 0, 0,
          java.time.ZoneOffset.UTC));
      r.setField("user_id", "u" + random.nextInt(50));
      r.setField("product_id", "p-" + random.nextInt(13));
      r.setField("event_type", "view");
      r.setField("price", random.nextBoolean() ? null : java.math.BigDecimal.valueOf(random.nextInt(100_000), 2));
      r.setField("quantity", 1 + random.nextInt(3));
      r.setField("session_id", random.nextInt(5) == 0 ? null : "s" + random.nextInt(100));
      r.setField("_source_line", (long) i + 1);
      rows.add(r);
    }
    return rows;
  }

  /** A total order (the source line is unique), as every connector's Bronze order is. */
  private static final Comparator<Record> TOTAL = Comparator.<Record, String>comparing(r -> (String) r.getField("event_id"))
      .thenComparing(r -> (Long) r.getField("_source_line"));

  private static final Comparator<Record> BY_PRODUCT = Comparator.comparing(r -> (String) r.getField("product_id"));

  @Test
  void spilledRunsMergeToExactlyWhatAStableInMemorySortGives(@TempDir Path tmp) throws Exception {
    List<Record> rows = shuffledRows(3_000, 42);
    List<Record> expected = new ArrayList<>(rows);
    expected.sort(BY_PRODUCT); // List.sort is stable: ties keep arrival order

    for (int maxInMemory : new int[] {97, 999, 3_000, 10_000}) {
      try (SpillingSorter sorter = new SpillingSorter(ClickstreamSchema.BRONZE, BY_PRODUCT, maxInMemory, tmp)) {
        rows.forEach(sorter::add);
        List<Record> sorted = new ArrayList<>();
        sorter.sorted().forEach(sorted::add);
        assertThat(sorter.size()).isEqualTo(rows.size());
        assertThat(sorter.spilledRuns()).as("runs at %d rows in memory", maxInMemory)
            .isEqualTo(maxInMemory >= rows.size() ? (maxInMemory == rows.size() ? 1 : 0) : rows.size() / maxInMemory);
        assertThat(sorted).as("order at %d rows in memory", maxInMemory).isEqualTo(expected);
      }
    }
    try (var files = Files.list(tmp)) {
      assertThat(files).as("runs are deleted on close").isEmpty();
    }
  }

  @Test
  void theBronzeFileIsByteIdenticalWhetherOrNotTheSortSpilled(@TempDir Path tmp) {
    List<Record> rows = shuffledRows(20_000, 7);
    byte[] inMemory;
    try (SpillingSorter sorter = new SpillingSorter(ClickstreamSchema.BRONZE, TOTAL, 1_000_000, tmp)) {
      rows.forEach(sorter::add);
      inMemory = ParquetFiles.write(ClickstreamSchema.BRONZE, sorter.sorted());
      assertThat(sorter.spilledRuns()).isZero();
    }
    List<Record> reversed = new ArrayList<>(rows);
    Collections.reverse(reversed);
    try (SpillingSorter sorter = new SpillingSorter(ClickstreamSchema.BRONZE, TOTAL, 3_001, tmp)) {
      reversed.forEach(sorter::add);
      byte[] spilled = ParquetFiles.write(ClickstreamSchema.BRONZE, sorter.sorted());
      assertThat(sorter.spilledRuns()).isEqualTo(6);
      assertThat(spilled).isEqualTo(inMemory);
    }
  }
}
