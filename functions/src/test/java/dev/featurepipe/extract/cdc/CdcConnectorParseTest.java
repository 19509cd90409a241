package dev.featurepipe.extract.cdc;

import static dev.featurepipe.extract.cdc.CdcTestSupport.DEBEZIUM_ORDERS;
import static dev.featurepipe.extract.cdc.CdcTestSupport.DMS_ORDERS;
import static dev.featurepipe.extract.cdc.CdcTestSupport.connector;
import static dev.featurepipe.extract.cdc.CdcTestSupport.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.cdc.CdcTestSupport.Collected;
import dev.featurepipe.extract.cdc.CdcTestSupport.Rejected;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

class CdcConnectorParseTest {

  private static List<Object> values(Record r) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      out.add(r.get(i));
    }
    return out;
  }

  @Test
  void dmsCsvQuotedFieldsKeepCommasQuotesAndNewlines() {
    Collected out = parse(connector(DMS_ORDERS), "cdc/orders/dt=2026-11-25/20261125-1.csv",
        "I,100,1,\"paid, in full\",10.50\r\n"
            + "U,101,1,\"said \"\"hi\"\"\nthen left\",\n"
            + "D,102,1,,\n");

    assertThat(out.rejected).isEmpty();
    assertThat(out.rows).extracting(CdcConnectorParseTest::values).containsExactly(
        List.of("I", 100L, "cdc/orders/dt=2026-11-25/20261125-1.csv", 1L, 1L, "paid, in full", new BigDecimal("10.50")),
        java.util.Arrays.asList("U", 101L, "cdc/orders/dt=2026-11-25/20261125-1.csv", 2L, 1L,
            "said \"hi\"\nthen left", null),
        java.util.Arrays.asList("D", 102L, "cdc/orders/dt=2026-11-25/20261125-1.csv", 4L, 1L, null, null));
  }

  @Test
  void recordsSpanningTheReadBuffersBoundariesParseAsIfTheFileWereOneString() {
    // The parser streams 64 Ki chars at a time: quoted newlines, CRLF and records of every length
    // must land identically wherever a buffer ends. Expected values come from the generator below.
    StringBuilder file = new StringBuilder();
    List<List<Object>> expected = new ArrayList<>();
    long line = 1;
    for (int k = 0; file.length() < 300_000; k++) {
      String status = "s".repeat(k % 977) + (k % 3 == 0 ? "\nsecond line, \"quoted\"" : "");
      file.append("U,").append(k).append(",1,\"").append(status.replace("\"", "\"\"")).append("\",1.25")
          .append(k % 2 == 0 ? "\r\n" : "\n");
      expected.add(List.of("U", (long) k, "big.csv", line, 1L, status, new BigDecimal("1.25")));
      line += 1 + (k % 3 == 0 ? 1 : 0);
    }
    Collected out = parse(connector(DMS_ORDERS), "big.csv", file.toString());

    assertThat(out.rejected).isEmpty();
    assertThat(out.rows).extracting(CdcConnectorParseTest::values).containsExactlyElementsOf(expected);
  }

  @Test
  void debeziumSnapshotReadsAreInsertsAndDeletesCarryTheBeforeImage() {
    Collected out = parse(connector(DEBEZIUM_ORDERS), "k.jsonl", """
        {"before":null,"after":{"id":1,"status":"new","amount":5.25},"op":"r","source":{"lsn":10,"ts_ms":1}}
        {"before":null,"after":{"id":2,"status":"new","amount":"7.00"},"op":"c","source":{"lsn":"11","ts_ms":2}}

        {"schema":{},"payload":{"before":{"id":1},"after":{"id":1,"status":"paid","amount":null},"op":"u","source":{"lsn":12}}}
        {"before":{"id":2},"after":null,"op":"d","source":{"lsn":13,"ts_ms":4}}
        """);

    assertThat(out.rejected).isEmpty();
    assertThat(out.rows).extracting(CdcConnectorParseTest::values).containsExactly(
        List.of("I", 10L, "k.jsonl", 1L, 1L, "new", new BigDecimal("5.25")),
        List.of("I", 11L, "k.jsonl", 2L, 2L, "new", new BigDecimal("7.00")),
        java.util.Arrays.asList("U", 12L, "k.jsonl", 4L, 1L, "paid", null),
        java.util.Arrays.asList("D", 13L, "k.jsonl", 5L, 2L, null, null));
  }

  @Test
  void badDmsChangesAreRejectedWithTheirReasonAndRawText() {
    Collected out = parse(connector(DMS_ORDERS), "k.csv", String.join("\n",
        "X,1,1,a,1.00",
        "I,1,,a,1.00",
        "I,soon,1,a,1.00",
        "I,1,1,a,1.005",
        "I,1,1,,1.00",
        "I,1,1,a",
        "U,2,1,ok,2.00",
        "I,1,1,a\"b,1.00"));

    assertThat(out.rejected).extracting(Rejected::position, Rejected::rejection, Rejected::raw).containsExactly(
        tuple(1L, Rejection.of("unknown_op", "Op: must be one of I, U, D, got X"), "X,1,1,a,1.00"),
        tuple(2L, Rejection.of("missing_key", "id: key field is required for every change"), "I,1,,a,1.00"),
        tuple(3L, Rejection.of("bad_position", "change_seq: must be a 64-bit integer"), "I,soon,1,a,1.00"),
        tuple(4L, Rejection.of("bad_value", "amount: must be a decimal(10, 2) number"), "I,1,1,a,1.005"),
        tuple(5L, Rejection.of("missing_field", "status: is required"), "I,1,1,,1.00"),
        tuple(6L, Rejection.of("column_count", "must have 5 columns (Op, change_seq, fields), got 4"), "I,1,1,a"),
        tuple(8L, Rejection.of("malformed_csv", "column 4: quote inside an unquoted field"), "I,1,1,a\"b,1.00"));
    assertThat(out.rows).extracting(r -> r.getField("status")).containsExactly("ok");
  }

  @Test
  void badDebeziumChangesAreRejectedWithTheirReasonAndRawText() {
    List<String> lines = List.of(
        "{\"after\":{\"id\":1,\"status\":\"a\"},\"op\":\"t\",\"source\":{\"lsn\":1}}",
        "{\"after\":{\"status\":\"a\"},\"op\":\"c\",\"source\":{\"lsn\":1}}",
        "{\"after\":{\"id\":1,\"status\":\"a\"},\"op\":\"c\",\"source\":{\"lsn\":\"0/16B3748\"}}",
        "{\"after\":{\"id\":1,\"status\":\"a\"},\"op\":\"c\",\"source\":{}}",
        "{\"after\":{\"id\":\"one\",\"status\":\"a\"},\"op\":\"c\",\"source\":{\"lsn\":1}}",
        "{\"before\":null,\"after\":null,\"op\":\"d\",\"source\":{\"lsn\":1}}",
        "{\"after\":{\"id\":1,\"status\":{\"x\":1}},\"op\":\"c\",\"source\":{\"lsn\":1}}",
        "[1]");
    Collected out = parse(connector(DEBEZIUM_ORDERS), "k.jsonl", String.join("\n", lines));

    assertThat(out.rows).isEmpty();
    assertThat(out.rejected).extracting(Rejected::position, Rejected::rejection).containsExactly(
        tuple(1L, Rejection.of("unknown_op", "op: must be one of c, u, d, r, got t")),
        tuple(2L, Rejection.of("missing_key", "id: key field is required for every change")),
        tuple(3L, Rejection.of("bad_position", "/source/lsn: must be a 64-bit integer")),
        tuple(4L, Rejection.of("bad_position", "/source/lsn: must be a 64-bit integer")),
        tuple(5L, Rejection.of("bad_value", "id: must be a 64-bit integer")),
        tuple(6L, Rejection.of("missing_image", "before: must be an object for op d")),
        tuple(7L, Rejection.of("bad_value", "status: must be a string")),
        tuple(8L, Rejection.of("malformed_json", "line: must be one JSON object")));
    assertThat(out.rejected).extracting(Rejected::raw).containsExactlyElementsOf(lines);
  }

  @Test
  void strayQuoteJoinsTheFollowingLinesIntoOneRejectionRatherThanDroppingThem() {
    Collected out = parse(connector(DMS_ORDERS), "k.csv", "I,1,1,a\"b,1.00\nU,2,1,ok,2.00\n");

    assertThat(out.rows).isEmpty();
    assertThat(out.rejected).extracting(Rejected::position, Rejected::rejection, Rejected::raw).containsExactly(
        tuple(1L, Rejection.of("malformed_csv", "column 4: quote inside an unquoted field"),
            "I,1,1,a\"b,1.00\nU,2,1,ok,2.00"));
  }

  @Test
  void dmsWithoutPositionColumnUsesObjectKeyAndPaddedLine() {
    CdcConnector c = connector("""
        prefix: cdc/
        format: dms_csv
        key: [id]
        fields: [{name: id, type: long}]
        """);

    Collected out = parse(c, "cdc/dt=2026-11-25/20261125-093000000.csv", "I,1\nD,1\n");

    assertThat(out.rows).extracting(r -> r.getField(CdcConnector.POSITION)).containsExactly(
        "cdc/dt=2026-11-25/20261125-093000000.csv#000000000001",
        "cdc/dt=2026-11-25/20261125-093000000.csv#000000000002");
  }

  @Test
  void dmsBooleansAndDebeziumEpochDayDatesFollowTheirEncodings() {
    String fields = """
        key: [id]
        fields:
          - {name: id, type: long}
          - {name: active, type: boolean}
          - {name: born, type: date}
        """;
    CdcConnector dms = connector("prefix: cdc/\nformat: dms_csv\nposition_column: seq\n" + fields);
    CdcConnector debezium = connector("prefix: cdc/\nformat: debezium_json\n" + fields);

    Collected csv = parse(dms, "k.csv", "I,1,1,t,2026-11-25\nI,2,2,0,\nI,3,3,TRUE,\nI,4,4,yes,\n");
    Collected json = parse(debezium, "k.jsonl", """
        {"after":{"id":1,"active":"f","born":20417},"op":"c","source":{"lsn":1}}
        {"after":{"id":2,"active":true,"born":"2026-11-25"},"op":"c","source":{"lsn":2}}
        {"after":{"id":3,"born":[1]},"op":"c","source":{"lsn":3}}
        """);

    java.time.LocalDate day = java.time.LocalDate.of(2026, 11, 25);
    assertThat(csv.rows).extracting(r -> r.getField("active"), r -> r.getField("born")).containsExactly(
        tuple(true, day), tuple(false, null), tuple(true, null));
    assertThat(csv.rejected).extracting(Rejected::position, Rejected::rejection).containsExactly(
        tuple(4L, Rejection.of("bad_value", "active: must be true or false")));
    assertThat(json.rows).extracting(r -> r.getField("active"), r -> r.getField("born")).containsExactly(
        tuple(false, java.time.LocalDate.ofEpochDay(20417)), tuple(true, day));
    assertThat(json.rejected).extracting(Rejected::position, Rejected::rejection).containsExactly(
        tuple(3L, Rejection.of("bad_value", "born: must be an ISO date yyyy-MM-dd")));
  }
}
