package dev.featurepipe.schema;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a source's data looks like right now, as its connector sees it before reading a row: a
 * table's columns (JDBC metadata), a CSV header, a Parquet footer. {@code where} names what was
 * looked at, for messages. A column that feeds a registered field carries that field's name and
 * {@code fits}: whether the source's type can fill the registered type without a lossy conversion;
 * any other column carries its own name, the connector type it would be registered with ({@code
 * type}, null when none fits: json, arrays, zoneless timestamps, ...) and {@code fits} null.
 *
 * <p>{@code absentIn}: columns some of the looked-at objects lack, each with the first such object,
 * so a diff can say where a column went missing; they are not in {@code columns}.
 */
public record ObservedSchema(String where, List<Column> columns, SortedMap<String, String> absentIn) {

  /** {@code nativeType}: the source's own type name (varchar(40), INT64 (TIMESTAMP(MICROS,true)), csv text). */
  public record Column(String name, String nativeType, String type, boolean nullable, Boolean fits) {}

  public ObservedSchema {
    columns = List.copyOf(columns);
    absentIn = new TreeMap<>(absentIn == null ? Map.of() : absentIn);
  }

  public ObservedSchema(String where, List<Column> columns) {
    this(where, columns, null);
  }
}
