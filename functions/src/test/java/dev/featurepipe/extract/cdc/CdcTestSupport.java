package dev.featurepipe.extract.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.SourceConnector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.data.Record;

/** Builds connectors from YAML options and collects what one parse sends to the sink. */
final class CdcTestSupport {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static final String DMS_ORDERS = """
      prefix: cdc/orders/
      format: dms_csv
      position_column: change_seq
      key: [id]
      fields:
        - {name: id, type: long, required: true}
        - {name: status, type: string, required: true}
        - {name: amount, type: "decimal(10,2)"}
      """;

  static final String DEBEZIUM_ORDERS = """
      prefix: cdc/orders/
      format: debezium_json
      position_pointer: /source/lsn
      key: [id]
      fields:
        - {name: id, type: long, required: true}
        - {name: status, type: string, required: true}
        - {name: amount, type: "decimal(10,2)"}
      """;

  record Rejected(long position, Rejection rejection, String raw) {}

  static final class Collected implements SourceConnector.RowSink {
    final List<Record> rows = new ArrayList<>();
    final List<Rejected> rejected = new ArrayList<>();

    @Override
    public void row(Record row) {
      rows.add(row);
    }

    @Override
    public void reject(long position, Rejection rejection, String raw) {
      rejected.add(new Rejected(position, rejection, raw));
    }
  }

  private CdcTestSupport() {}

  static CdcConnector connector(String yaml) {
    try {
      return new CdcConnector("orders", CdcSourceOptions.parse("orders", YAML.readTree(yaml)), null, "source-bucket");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Collected parse(CdcConnector connector, String objectKey, String text) {
    Collected sink = new Collected();
    try {
      connector.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), objectKey, sink);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink;
  }
}
