package dev.featurepipe.tests.gold;

import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.ops.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Feature tables laid out like Silver ({@code <entity>, as_of, features..., dt}, partitioned by
 * {@code dt}, property {@code featurepipe.entity}) with rows chosen by a test: gaps, unicode keys,
 * days before any feature. Files are put through the S3 server and committed to the real catalog, one
 * overwrite of the {@code dt} partition per call, as the daily CommitFeatures does.
 */
final class ToySilver {

  private final LocalPipeline local;

  ToySilver(LocalPipeline local) {
    this.local = local;
  }

  Table create(String name, Schema schema, String entity) {
    Catalog catalog = local.context().catalog().get();
    Namespace ns = Namespace.of(local.context().catalogDatabase());
    if (catalog instanceof SupportsNamespaces s && !s.namespaceExists(ns)) {
      s.createNamespace(ns);
    }
    return catalog.buildTable(TableIdentifier.of(ns, name), schema)
        .withPartitionSpec(PartitionSpec.builderFor(schema).identity("dt").build())
        .withLocation("s3://" + local.context().names().lakeBucket() + "/silver/" + name)
        .withProperty("featurepipe.entity", entity)
        .create();
  }

  /** Replaces the {@code dt} partition with {@code rows} (already sorted by entity); returns the new snapshot id. */
  long commitDay(Table table, LocalDate dt, List<Record> rows) {
    table.refresh();
    OverwriteFiles overwrite = table.newOverwrite().overwriteByRowFilter(Expressions.equal("dt", dt.toString()));
    if (!rows.isEmpty()) {
      byte[] bytes = ParquetFiles.write(table.schema(), rows);
      String key = table.location().substring(("s3://" + lake().bucket() + "/").length()) + "/data/dt=" + dt
          + "/part-" + Hashing.sha256Hex(bytes).substring(0, 8) + ".parquet";
      FileEntry f = lake().put(key, bytes, rows.size(), "application/vnd.apache.parquet");
      DataFile file = DataFiles.builder(table.spec())
          .withPath("s3://" + lake().bucket() + "/" + f.key())
          .withFormat(FileFormat.PARQUET)
          .withFileSizeInBytes(f.bytes())
          .withRecordCount(rows.size())
          .withPartitionPath("dt=" + dt)
          .build();
      overwrite.addFile(file);
    }
    overwrite.commit();
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  /**
   * Downloads the data files of {@code snapshotId} into {@code dir} (paths from Iceberg's metadata,
   * bytes straight from S3), for DuckDB to read: the oracle does not go through our readers.
   */
  Path download(Table table, long snapshotId, Path dir) {
    try {
      Files.createDirectories(dir);
      List<String> keys = new ArrayList<>();
      try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshotId).planFiles()) {
        for (FileScanTask t : tasks) {
          keys.add(t.file().location().substring(("s3://" + lake().bucket() + "/").length()));
        }
      }
      for (int i = 0; i < keys.size(); i++) {
        Files.write(dir.resolve("f" + i + ".parquet"), lake().get(keys.get(i)));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  LakeStore lake() {
    return new LakeStore(local.clients().s3(), local.context().names().lakeBucket());
  }
}
