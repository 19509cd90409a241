package dev.featurepipe.transform.engine;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.lake.ParquetFiles;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/**
 * Sums of doubles are exact (no floating-point addition happens before the one final rounding), so
 * values spanning 600 orders of magnitude give the same bits in any order, and they equal the
 * exact sums computed here with BigDecimal (DuckDB sums doubles in floating point, so it cannot be
 * the oracle for these).
 */
class FloatingPointFeaturesTest {

  private static final Schema SOURCE = new Schema(
      required(1, "id", Types.LongType.get()),
      required(2, "at", Types.TimestampType.withZone()),
      required(3, "sensor", Types.StringType.get()),
      optional(4, "x", Types.DoubleType.get()));

  private static final LocalDate DAY = LocalDate.of(2026, 1, 10);

  private static final FeatureGroupSpec SPEC = FeatureGroupSpec.parse(EngineFixtures.yaml("""
      name: sensors
      version: 1
      entity: sensor
      source: readings
      event_time: at
      dedupe_by: id
      windows: [7d]
      features:
        - {name: total, agg: sum, column: x}
        - {name: mean, agg: mean, column: x}
        - {name: std, agg: stddev, column: x}
        - {name: low, agg: min, column: x}
        - {name: n, agg: count, column: x}
        - {name: total_minus_mean, difference: [total, mean]}
      """), SOURCE, Map.of(), 90);

  private static final double[] AWKWARD = {1e300, -1e300, 1e-300, 0.1, 0.2, 0.3, -0.3, 1e16, 1.0, -1e16, 3.0e-5,
      Double.MIN_NORMAL, 123456789.123456789};

  private static List<Record> rows() {
    Random rnd = new Random(9);
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      GenericRecord r = GenericRecord.create(SOURCE);
      r.set(0, (long) i);
      r.set(1, OffsetDateTime.of(DAY.minusDays(rnd.nextInt(3)).atStartOfDay(), ZoneOffset.UTC).plusMinutes(i));
      r.set(2, "s" + rnd.nextInt(4));
      r.set(3, rnd.nextInt(10) == 0 ? null : rnd.nextBoolean() ? AWKWARD[rnd.nextInt(AWKWARD.length)]
          : rnd.nextGaussian() * 1000);
      out.add(r);
    }
    return out;
  }

  private static List<Record> features(List<Record> rows) {
    List<Record> partials = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      TileBuilder b = new TileBuilder(SPEC, SOURCE, Map.of(), Map.of());
      for (int i = c; i < rows.size(); i += 3) {
        b.add(rows.get(i));
      }
      partials.addAll(b.finish());
    }
    return new FeatureComputer(SPEC).compute(DAY, Tiles.merge(SPEC, partials));
  }

  @Test
  void anyOrderGivesTheSameBits() {
    List<Record> rows = rows();
    byte[] expected = ParquetFiles.write(FeatureComputer.schema(SPEC), features(rows));
    for (long seed = 1; seed <= 10; seed++) {
      List<Record> shuffled = new ArrayList<>(rows);
      Collections.shuffle(shuffled, new Random(seed));
      assertThat(ParquetFiles.write(FeatureComputer.schema(SPEC), features(shuffled))).isEqualTo(expected);
    }
  }

  @Test
  void valuesAreTheExactSumsRoundedOnce() {
    List<Record> rows = rows();
    MathContext wide = new MathContext(2000);
    int naiveDiffers = 0;
    for (Record f : features(rows)) {
      List<Double> xs = rows.stream().filter(r -> r.get(2).equals(f.get(0)) && r.get(3) != null)
          .map(r -> (Double) r.get(3)).toList();
      BigDecimal sum = xs.stream().map(BigDecimal::new).reduce(BigDecimal.ZERO, BigDecimal::add);
      BigDecimal n = BigDecimal.valueOf(xs.size());
      BigDecimal mean = sum.divide(n, wide);
      assertThat(f.getField("total_7d")).isEqualTo(sum.doubleValue());
      assertThat(f.getField("mean_7d")).isEqualTo(mean.doubleValue());
      assertThat(f.getField("n_7d")).isEqualTo((long) xs.size());
      assertThat(f.getField("low_7d")).isEqualTo(xs.stream().min(Double::compare).orElseThrow());
      assertThat(f.getField("total_minus_mean_7d"))
          .isEqualTo(sum.subtract(new BigDecimal((Double) f.getField("mean_7d"))).doubleValue());
      BigDecimal sumSq = xs.stream().map(x -> new BigDecimal(x).pow(2)).reduce(BigDecimal.ZERO, BigDecimal::add);
      BigDecimal variance = sumSq.multiply(n).subtract(sum.pow(2)).divide(n.multiply(n.subtract(BigDecimal.ONE)), wide);
      assertThat(f.getField("std_7d")).isEqualTo(variance.sqrt(wide).doubleValue());
      naiveDiffers += xs.stream().mapToDouble(Double::doubleValue).sum() != sum.doubleValue() ? 1 : 0;
    }
    // Plain double addition gets some of these wrong: the data exercises the exact path.
    assertThat(naiveDiffers).isPositive();
  }
}
