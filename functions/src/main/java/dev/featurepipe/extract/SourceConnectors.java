package dev.featurepipe.extract;

import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.ConfigInvalid;

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
      default -> throw new ConfigInvalid("sources[" + source.id() + "].kind: must be one of s3_jsonl, s3_files, jdbc, rest, cdc, got "
          + source.kind());
    };
  }
}
