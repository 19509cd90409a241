package dev.featurepipe.extract.jdbc;

import java.util.Properties;

/**
 * What differs between the databases the JDBC connector reads, decided by the URL's driver prefix:
 * how an identifier is quoted, which connection properties make reads safe (timeouts, UTC
 * sessions), which column type names hold an instant, and which SQLStates mean a missing table or
 * column. Everything else (key-range SQL, streaming fetch, bind parameters) is plain JDBC.
 */
enum Dialect {

  /** PostgreSQL (pgjdbc): {@code timestamptz} is an instant. */
  POSTGRESQL('"', "timestamptz"),

  /**
   * MariaDB and MySQL through MariaDB Connector/J ({@code jdbc:mariadb://}, which speaks MySQL's
   * protocol too): backticks always quote, whatever {@code sql_mode} says; a {@code TIMESTAMP} is
   * stored as an instant and shown in the session's time zone, which is forced to UTC, while a
   * {@code DATETIME} has no zone and so is no {@code timestamptz}.
   */
  MARIADB('`', "timestamp"),

  /** Any other driver: SQL-standard double quotes, and only a driver-declared zoned timestamp is an instant. */
  STANDARD('"', null);

  private final char quote;
  private final String instantTypeName;

  Dialect(char quote, String instantTypeName) {
    this.quote = quote;
    this.instantTypeName = instantTypeName;
  }

  static Dialect of(String url) {
    if (url.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
      return MARIADB;
    }
    return STANDARD;
  }

  /** The quoted identifier; callers pass names checked against {@link JdbcSourceOptions#IDENTIFIER}. */
  String quote(String identifier) {
    return quote + identifier + quote;
  }

  /** {@code schema.table} with each part quoted. */
  String quoteQualified(String identifier) {
    String[] parts = identifier.split("\\.");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      out.append(i == 0 ? "" : ".").append(quote(parts[i]));
    }
    return out.toString();
  }

  /** Whether a column the driver reports as {@code java.sql.Types.TIMESTAMP} named {@code dbType} holds an instant. */
  boolean timestampIsInstant(String dbType) {
    return instantTypeName != null && instantTypeName.equalsIgnoreCase(dbType);
  }

  void connectionProperties(Properties props, String sourceId, int connectTimeoutSeconds) {
    switch (this) {
      case POSTGRESQL -> {
        props.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
        props.setProperty("ApplicationName", "featurepipe-" + sourceId);
      }
      case MARIADB -> {
        props.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds * 1000));
        // TIMESTAMP values are converted to the session's zone on the server: make it UTC, and have
        // the driver read them as UTC, so an instant never depends on the server's or JVM's zone.
        props.setProperty("connectionTimeZone", "UTC");
        props.setProperty("forceConnectionTimeZoneToSession", "true");
        // jdbc:mysql: URLs are MySQL servers; MariaDB Connector/J accepts them only when told to.
        props.setProperty("permitMysqlScheme", "true");
      }
      case STANDARD -> { }
    }
  }

  /** SQLStates of "no such table or schema" (PostgreSQL 42P01/3F000, MySQL and MariaDB 42S02). */
  static boolean missingTable(String state) {
    return state.equals("42P01") || state.equals("3F000") || state.equals("42S02");
  }

  /** SQLStates of "no such column" (PostgreSQL 42703, MySQL and MariaDB 42S22). */
  static boolean missingColumn(String state) {
    return state.equals("42703") || state.equals("42S22");
  }
}
