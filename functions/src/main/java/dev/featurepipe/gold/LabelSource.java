package dev.featurepipe.gold;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where the labels are and which columns mean what. {@code uri} is {@code s3://bucket/key} of one
 * CSV (header row, UTF-8, RFC 4180 quoting) or Parquet object; {@code format} defaults from the key's
 * extension. {@code timeColumn} holds the label time: ISO-8601 with an offset in CSV or Parquet text
 * ({@code 2026-03-05T13:00:00Z}, {@code 2026-03-05T14:00:00+01:00}), or a UTC-adjusted Parquet
 * timestamp; a time without an offset is refused, since guessing its zone could leak a day.
 * {@code labelType} types a CSV label column ({@code string}, {@code long}, {@code double},
 * {@code boolean}); a Parquet label keeps its own type. The entity key columns are named per feature
 * group in {@link TrainingRequest#keyColumns()}.
 */
public record LabelSource(String uri, String format, String timeColumn, String labelColumn, String labelType) {

  public static final String CSV = "csv";
  public static final String PARQUET = "parquet";
  public static final Set<String> LABEL_TYPES = new TreeSet<>(List.of("boolean", "double", "long", "string"));
  /** The column names a labels file has unless the request names others. */
  public static final String TIME_COLUMN_DEFAULT = "label_time";
  public static final String LABEL_COLUMN_DEFAULT = "label";

  public LabelSource {
    timeColumn = timeColumn == null ? TIME_COLUMN_DEFAULT : timeColumn;
    labelColumn = labelColumn == null ? LABEL_COLUMN_DEFAULT : labelColumn;
    if (format == null && uri != null) {
      String lower = uri.toLowerCase(Locale.ROOT);
      format = lower.endsWith(".parquet") ? PARQUET : lower.endsWith(".csv") ? CSV : null;
    }
    labelType = labelType == null && CSV.equals(format) ? "string" : labelType;
  }

  /** Every problem, one line each, naming the field, the rule and the value. */
  List<String> violations() {
    List<String> out = new ArrayList<>();
    if (uri == null || !uri.matches("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+")) {
      out.add("labels.uri: must be s3://<bucket>/<key>, got " + uri);
    }
    if (format == null) {
      out.add("labels.format: must be csv or parquet (or a key ending in .csv or .parquet), got " + uri);
    } else if (!format.equals(CSV) && !format.equals(PARQUET)) {
      out.add("labels.format: must be csv or parquet, got " + format);
    }
    if (timeColumn.isBlank()) {
      out.add("labels.timeColumn: must not be blank");
    }
    if (labelColumn.isBlank()) {
      out.add("labels.labelColumn: must not be blank");
    }
    if (PARQUET.equals(format) && labelType != null) {
      out.add("labels.labelType: only for csv (a Parquet label keeps its own type), got " + labelType);
    }
    if (CSV.equals(format) && !LABEL_TYPES.contains(labelType)) {
      out.add("labels.labelType: must be one of " + LABEL_TYPES + ", got " + labelType);
    }
    return out;
  }

  String bucket() {
    return uri.substring("s3://".length(), uri.indexOf('/', "s3://".length()));
  }

  String key() {
    return uri.substring(uri.indexOf('/', "s3://".length()) + 1);
  }
}
