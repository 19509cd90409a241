package dev.featurepipe.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the Silver tables' Iceberg metadata lives: AWS Glue on AWS, a JDBC database (SQLite in the
 * embedded stack) locally. Data and metadata files go to {@code warehouse} through S3FileIO in
 * both cases.
 *
 * @param type {@link #GLUE} or {@link #JDBC}
 * @param jdbcUri the JDBC URL of the catalog database; present exactly when {@code type} is jdbc
 * @param database the Glue database, which is also the Iceberg namespace of every Silver table
 * @param warehouse {@code s3://<bucket>/<prefix>}, the root under which tables get their location
 */
public record CatalogSettings(
    String type, Optional<String> jdbcUri, String database, String warehouse) {

  public static final String GLUE = "glue";
  public static final String JDBC = "jdbc";

  /**
   * Glue's own rule for database names, which Iceberg's GlueCatalog enforces (IcebergToGlueConverter
   * {@code GLUE_DB_PATTERN}). Checked here so that a bad name fails at startup, not at first commit.
   */
  private static final Pattern DATABASE = Pattern.compile("[a-z0-9_]{1,252}");

  /** A bucket name (3 to 63 lowercase letters, digits, dots, hyphens) and an optional key prefix. */
  private static final Pattern WAREHOUSE =
      Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^/]+)*");

  public CatalogSettings {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(jdbcUri, "jdbcUri");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(warehouse, "warehouse");
    List<String> problems = new ArrayList<>();
    typeViolation(type).ifPresent(v -> problems.add("type: " + v));
    jdbcUriViolation(type, jdbcUri).ifPresent(v -> problems.add("jdbcUri: " + v));
    databaseViolation(database).ifPresent(v -> problems.add("database: " + v));
    warehouseViolation(warehouse).ifPresent(v -> problems.add("warehouse: " + v));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
  }

  /** The bucket part of {@link #warehouse()}. */
  public String warehouseBucket() {
    String rest = warehouse.substring("s3://".length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  // The rules below are shared with AwsSettings.fromEnvironment, which names environment variables
  // instead of components in its messages.

  static Optional<String> typeViolation(String type) {
    return GLUE.equals(type) || JDBC.equals(type)
        ? Optional.empty()
        : Optional.of("must be one of glue, jdbc, got " + type);
  }

  static Optional<String> jdbcUriViolation(String type, Optional<String> jdbcUri) {
    if (JDBC.equals(type)) {
      if (jdbcUri.isEmpty()) {
        return Optional.of("is required when the catalog type is jdbc");
      }
      if (!jdbcUri.get().startsWith("jdbc:")) {
        return Optional.of("must start with jdbc:, got " + jdbcUri.get());
      }
      return Optional.empty();
    }
    // A URI beside a Glue catalog would be silently ignored; say so instead.
    return jdbcUri.isPresent() && GLUE.equals(type)
        ? Optional.of("must not be set when the catalog type is glue, got " + jdbcUri.get())
        : Optional.empty();
  }

  static Optional<String> databaseViolation(String database) {
    return DATABASE.matcher(database).matches()
        ? Optional.empty()
        : Optional.of(
            "must be 1 to 252 lowercase letters, digits or underscores (a Glue database name), got "
                + database);
  }

  static Optional<String> warehouseViolation(String warehouse) {
    return WAREHOUSE.matcher(warehouse).matches()
        ? Optional.empty()
        : Optional.of(
            "must be s3://<bucket>[/<prefix>] without a trailing slash, like"
                + " s3://featurepipe-lake/silver, got "
                + warehouse);
  }
}
