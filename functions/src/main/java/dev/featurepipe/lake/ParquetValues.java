package dev.featurepipe.lake;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

/**
 * One cell of a Parquet file read with parquet-java's example {@link Group} reader, as a Java value
 * by its physical and logical type: strings, decimals (BigDecimal at the column's scale), dates,
 * timestamps ({@code OffsetDateTime} in UTC when the column is adjusted to UTC, {@code
 * LocalDateTime} when it has no zone, so callers decide what a zoneless time means), ints, longs,
 * floats, doubles, booleans; null for a missing value. INT96 must be refused by the caller first.
 */
public final class ParquetValues {

  private ParquetValues() {}

  public static Object value(Group g, int i, PrimitiveType t) {
    if (g.getFieldRepetitionCount(i) == 0) {
      return null;
    }
    LogicalTypeAnnotation lt = t.getLogicalTypeAnnotation();
    int scale = lt instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d ? d.getScale() : -1;
    return switch (t.getPrimitiveTypeName()) {
      case BINARY, FIXED_LEN_BYTE_ARRAY -> scale >= 0
          ? new BigDecimal(new BigInteger(g.getBinary(i, 0).getBytes()), scale)
          : g.getString(i, 0);
      case INT32 -> {
        int v = g.getInteger(i, 0);
        if (lt instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          yield LocalDate.ofEpochDay(v);
        }
        yield scale >= 0 ? BigDecimal.valueOf(v, scale) : (Object) v;
      }
      case INT64 -> {
        long v = g.getLong(i, 0);
        if (lt instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
          Instant at = switch (ts.getUnit()) {
            case MILLIS -> Instant.ofEpochMilli(v);
            case MICROS -> Instant.EPOCH.plus(v, ChronoUnit.MICROS);
            case NANOS -> Instant.EPOCH.plus(v, ChronoUnit.NANOS);
          };
          yield ts.isAdjustedToUTC() ? at.atOffset(ZoneOffset.UTC) : LocalDateTime.ofInstant(at, ZoneOffset.UTC);
        }
        yield scale >= 0 ? BigDecimal.valueOf(v, scale) : (Object) v;
      }
      case BOOLEAN -> g.getBoolean(i, 0);
      case FLOAT -> g.getFloat(i, 0);
      case DOUBLE -> g.getDouble(i, 0);
      case INT96 -> throw new IllegalStateException("[BUG] INT96 columns are refused before reading");
    };
  }
}
