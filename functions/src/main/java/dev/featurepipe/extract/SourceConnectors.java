package dev.featurepipe.extract;

import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.ConfigInvalid;
import org.apache.iceberg.Schema;

/** Builds the connector for a configured source, by its kind. */
public final class SourceConnectors {

  private SourceConnectors() {}

  public static SourceConnector create(SourceConfig source, ConnectorContext ctx) {
    return switch (source.kind()) {
      case "s3_jsonl" -> new ClickstreamConnector(source, ctx.s3(), ctx.sourceBucket());
      case "jdbc" -> dev.featurepipe.extract.jdbc.JdbcConnector.create(source, ctx);
      case "rest" -> dev.featurepipe.extract.rest.RestConnector.create(source, ctx);
      case "s3_files" -> dev.featurepipe.extract.files.FilesConnector.create(source, ctx);
      case "cdc" -> dev.featurepipe.extract.cdc.CdcConnector.create(source, ctx);
      default -> throw unknownKind(source);
    };
  }

  /**
   * Checks a source's kind-specific {@code options} without touching the source (no connection, no
   * secret), so a config error surfaces when the config loads, not when the first Extract runs;
   * throws {@code ConfigInvalid} listing every problem.
   */
  public static void validateOptions(SourceConfig source) {
    switch (source.kind()) {
      case "s3_jsonl" -> ClickstreamConnector.allowedLatenessDays(source);
      case "jdbc" -> dev.featurepipe.extract.jdbc.JdbcSourceOptions.parse(source.id(), source.options());
      case "rest" -> dev.featurepipe.extract.rest.RestSourceOptions.parse(source.id(), source.options());
      case "s3_files" -> dev.featurepipe.extract.files.FilesSourceOptions.parse(source.id(), source.options());
      case "cdc" -> dev.featurepipe.extract.cdc.CdcSourceOptions.parse(source.id(), source.options());
      default -> throw unknownKind(source);
    }
  }

  /**
   * The schema a source's Bronze partitions are written with, from its options alone (no connection,
   * no secret): what feature groups are resolved against when the config loads. Options must have
   * passed {@link #validateOptions}.
   */
  public static Schema bronzeSchema(SourceConfig source) {
    return switch (source.kind()) {
      case "s3_jsonl" -> ClickstreamSchema.BRONZE;
      case "jdbc" -> dev.featurepipe.extract.jdbc.JdbcConnector.bronzeSchema(
          dev.featurepipe.extract.jdbc.JdbcSourceOptions.parse(source.id(), source.options()));
      case "rest" -> dev.featurepipe.extract.rest.RestConnector.bronzeSchema(
          dev.featurepipe.extract.rest.RestSourceOptions.parse(source.id(), source.options()));
      case "s3_files" -> dev.featurepipe.extract.files.FilesConnector.bronzeSchema(
          dev.featurepipe.extract.files.FilesSourceOptions.parse(source.id(), source.options()));
      case "cdc" -> dev.featurepipe.extract.cdc.CdcConnector.changeLogSchema(
          dev.featurepipe.extract.cdc.CdcSourceOptions.parse(source.id(), source.options()));
      default -> throw unknownKind(source);
    };
  }

  /**
   * The Bronze partition a feature group reads when it joins {@code source} as a dimension: a CDC
   * source's end-of-day state ({@code <id>__state}: the table as of the end of the day), since its
   * own partition holds only the day's changes; any other source's own partition.
   */
  public static String dimensionPartition(SourceConfig source) {
    return source.kind().equals("cdc") ? dev.featurepipe.lake.LakeLayout.stateSourceId(source.id()) : source.id();
  }

  /** The schema of {@link #dimensionPartition}. */
  public static Schema dimensionSchema(SourceConfig source) {
    Schema bronze = bronzeSchema(source);
    return source.kind().equals("cdc") ? dev.featurepipe.extract.cdc.CdcConnector.snapshotSchema(bronze) : bronze;
  }

  private static ConfigInvalid unknownKind(SourceConfig source) {
    return new ConfigInvalid("sources[" + source.id() + "].kind: must be one of s3_jsonl, s3_files, jdbc, rest, cdc, got "
        + source.kind());
  }
}
