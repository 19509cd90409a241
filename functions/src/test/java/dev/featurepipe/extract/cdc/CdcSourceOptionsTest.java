package dev.featurepipe.extract.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.ConfigInvalid;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class CdcSourceOptionsTest {

  private static CdcSourceOptions parse(String yaml) throws IOException {
    return CdcSourceOptions.parse("orders", CdcTestSupport.YAML.readTree(yaml));
  }

  @Test
  void debeziumPositionDefaultsToTheSourceLsnAsALong() throws IOException {
    CdcSourceOptions o = parse("""
        prefix: cdc/
        format: debezium_json
        key: [id]
        fields: [{name: id, type: long}]
        """);

    assertThat(o.positionPointer()).isEqualTo("/source/lsn");
    assertThat(o.positionType()).isEqualTo("long");
  }

  @Test
  void dmsWithoutPositionColumnOrdersByObjectAndLineAsText() throws IOException {
    CdcSourceOptions o = parse("""
        prefix: cdc/
        format: dms_csv
        key: [id]
        fields: [{name: id, type: long}]
        """);

    assertThat(o.positionType()).isEqualTo("string");
  }

  @Test
  void everyBrokenRuleIsReportedOnItsOwnLineWithTheValue() {
    assertThatThrownBy(() -> parse("""
        prefix: /cdc
        format: maxwell
        position_type: int
        key: [id, missing]
        fields:
          - {name: id, type: long}
          - {name: Bad, type: float}
          - {name: id, type: string}
        """))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage(String.join("\n",
            "sources[orders].options.prefix: must be empty or a key prefix ending in / and not starting with /, got /cdc",
            "sources[orders].options.format: must be one of dms_csv, debezium_json, got maxwell",
            "sources[orders].options.position_type: must be one of long, string, got int",
            "sources[orders].options.fields[1].name: must match [a-z][a-z0-9_]*, got Bad",
            "sources[orders].options.fields[1].type: must be one of string, int, long, double, boolean, date, "
                + "timestamptz, decimal(p,s) (1 <= p <= 38, s <= p), got float",
            "sources[orders].options.fields[2].name: must be unique, got a second id",
            "sources[orders].options.key[1]: must name a field in fields, got missing"));
  }

  @Test
  void optionsOfTheOtherFormatAreRejected() {
    assertThatThrownBy(() -> parse("""
        prefix: cdc/
        format: debezium_json
        position_column: ts
        position_pointer: source.lsn
        key: []
        fields: [{name: id, type: long}]
        """))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage(String.join("\n",
            "sources[orders].options.position_column: only applies to format dms_csv, got ts",
            "sources[orders].options.position_pointer: must be a JSON pointer starting with /, got source.lsn",
            "sources[orders].options.key: must name at least one field, got []"));
  }

  @Test
  void unknownOptionIsNamedByItsPath() {
    assertThatThrownBy(() -> parse("""
        prefix: cdc/
        format: dms_csv
        key: [id]
        delimiter: ";"
        fields: [{name: id, type: long}]
        """))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageStartingWith("sources[orders].options.delimiter: Unrecognized field \"delimiter\"");
  }
}
