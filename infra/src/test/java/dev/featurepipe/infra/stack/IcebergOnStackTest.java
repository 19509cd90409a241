package dev.featurepipe.infra.stack;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.aws.AwsClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Iceberg's JdbcCatalog on SQLite with S3FileIO against the embedded S3, as AwsClients builds it. */
class IcebergOnStackTest {

  private static final Schema SCHEMA =
      new Schema(
          required(1, "entity_id", Types.StringType.get()),
          required(2, "dt", Types.DateType.get()),
          optional(3, "clicks", Types.LongType.get()));

  private static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA).identity("dt").build();

  @TempDir static Path stateDir;

  private static EmbeddedStack stack;
  private static AwsClients clients;

  @BeforeAll
  static void startStack() {
    stack = EmbeddedStack.start(StackOptions.forTests(stateDir));
    clients = new AwsClients(stack.awsSettings());
  }

  @AfterAll
  static void stopStack() {
    clients.close();
    stack.close();
  }

  @Test
  void stackCreatesTheFeaturepipeNamespaceInAJdbcCatalog() {
    assertThat(clients.catalog()).isInstanceOf(JdbcCatalog.class);
    assertThat(((SupportsNamespaces) clients.catalog()).listNamespaces())
        .containsExactly(Namespace.of("featurepipe"));
  }

  @Test
  void dataFileWrittenThroughS3FileIOReadsBackThroughPlainS3GetObject(@TempDir Path scratch)
      throws IOException {
    Table table =
        clients
            .catalog()
            .createTable(TableIdentifier.of("featurepipe", "smoke_v1"), SCHEMA, SPEC);
    LocalDate dt = LocalDate.of(2026, 1, 1);
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      rows.add(row("user-" + i, dt, i % 7 == 0 ? null : (long) i * 3));
    }

    DataFile dataFile = write(table, dt, rows);
    table.newAppend().appendFile(dataFile).commit();

    // Location under the warehouse in the lake bucket.
    String lakePrefix = "s3://" + stack.options().lakeBucket() + "/silver/";
    assertThat(table.location()).startsWith(lakePrefix);
    assertThat(dataFile.location()).startsWith(table.location() + "/data/");

    // Another path: the plain SDK client fetches the bytes, Parquet reads them from local disk.
    String key = dataFile.location().substring(("s3://" + stack.options().lakeBucket() + "/").length());
    byte[] bytes =
        clients
            .s3()
            .getObjectAsBytes(b -> b.bucket(stack.options().lakeBucket()).key(key))
            .asByteArray();
    assertThat(bytes).hasSize((int) dataFile.fileSizeInBytes());
    Path local = scratch.resolve("copy.parquet");
    Files.write(local, bytes);
    List<Record> fromS3 = new ArrayList<>();
    try (CloseableIterable<Record> read =
        Parquet.read(org.apache.iceberg.Files.localInput(local.toFile()))
            .project(SCHEMA)
            .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(SCHEMA, fileSchema))
            .build()) {
      read.forEach(r -> fromS3.add(r.copy()));
    }
    assertThat(fromS3).containsExactlyElementsOf(rows);

    // And the table reads its rows back through the catalog.
    List<Record> fromTable = new ArrayList<>();
    try (CloseableIterable<Record> read = IcebergGenerics.read(table).build()) {
      read.forEach(r -> fromTable.add(r.copy()));
    }
    assertThat(fromTable).containsExactlyInAnyOrderElementsOf(rows);

    // The committed metadata file is an object in the lake bucket too.
    String metadataLocation =
        ((org.apache.iceberg.HasTableOperations) table).operations().current().metadataFileLocation();
    String metadataKey =
        metadataLocation.substring(("s3://" + stack.options().lakeBucket() + "/").length());
    assertThat(
            clients
                .s3()
                .headObject(b -> b.bucket(stack.options().lakeBucket()).key(metadataKey))
                .contentLength())
        .isPositive();
  }

  @Test
  void secondCatalogInstanceSeesCommitsOfTheFirst() throws IOException {
    TableIdentifier id = TableIdentifier.of("featurepipe", "shared_v1");
    Table table = clients.catalog().createTable(id, SCHEMA, SPEC);
    LocalDate dt = LocalDate.of(2026, 2, 2);
    table.newAppend().appendFile(write(table, dt, List.of(row("a", dt, 1L)))).commit();

    try (AwsClients other = new AwsClients(stack.awsSettings())) {
      Table seen = other.catalog().loadTable(id);

      assertThat(seen.currentSnapshot().snapshotId())
          .isEqualTo(table.currentSnapshot().snapshotId());
    }
  }

  private static DataFile write(Table table, LocalDate dt, List<Record> rows) throws IOException {
    PartitionKey partition = new PartitionKey(table.spec(), table.schema());
    // PartitionKey reads Iceberg's internal representation (a date is days since epoch).
    partition.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(rows.get(0)));
    String path =
        table.locationProvider().newDataLocation(table.spec(), partition, "part-00000.parquet");
    DataWriter<Record> writer =
        Parquet.writeData(table.io().newOutputFile(path))
            .schema(table.schema())
            .createWriterFunc(GenericParquetWriter::create)
            .withSpec(table.spec())
            .withPartition(partition)
            .overwrite()
            .build();
    try (writer) {
      rows.forEach(writer::write);
    }
    return writer.toDataFile();
  }

  private static Record row(String entity, LocalDate dt, Long clicks) {
    GenericRecord record = GenericRecord.create(SCHEMA);
    record.setField("entity_id", entity);
    record.setField("dt", dt);
    record.setField("clicks", clicks);
    return record;
  }
}
