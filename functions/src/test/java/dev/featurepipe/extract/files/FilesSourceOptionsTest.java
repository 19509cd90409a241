package dev.featurepipe.extract.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.featurepipe.errors.ConfigInvalid;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilesSourceOptionsTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode yaml(String text) throws IOException {
    return YAML.readTree(text);
  }

  @Test
  void omittedSettingsTakeTheirDocumentedDefaults() throws IOException {
    FilesSourceOptions o = FilesSourceOptions.parse("shop", yaml("""
        prefix: shop/
        format: csv
        fields:
          - {name: id, type: long, required: true}
        """));

    assertThat(o.compression()).isEqualTo("none");
    assertThat(o.csv()).isEqualTo(new FilesSourceOptions.Csv(",", "\"", true, "UTF-8"));
    assertThat(o.splitBytes()).isEqualTo(256L << 20);
    assertThat(o.key()).isEmpty();
    assertThat(o.sourceOf(o.fields().get(0))).isEqualTo("id");
  }

  @Test
  void jsonFieldsDefaultToTheTopLevelPointerOfTheirName() throws IOException {
    FilesSourceOptions o = FilesSourceOptions.parse("events", yaml("""
        prefix: events/
        format: jsonl
        fields:
          - {name: id, type: long}
          - {name: city, source: /address/city, type: string}
        """));

    assertThat(o.fields()).extracting(o::sourceOf).containsExactly("/id", "/address/city");
  }

  @Test
  void everyBrokenRuleIsReportedOnItsOwnLineWithTheValue() throws IOException {
    JsonNode bad = yaml("""
        prefix: /shop
        format: xlsx
        compression: zip
        csv: {delimiter: ";;", quote: "'", encoding: UTF-16}
        split_bytes: 10
        fields:
          - {name: Id, type: long}
          - {name: ts, type: timestamptz, timestamp_format: "yyyy-MM-dd bogus"}
          - {name: ts, type: "decimal(40,2)"}
          - {name: n, type: int, timestamp_format: "yyyy"}
        key: [nope]
        """);

    assertThatThrownBy(() -> FilesSourceOptions.parse("shop", bad))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage(String.join("\n", List.of(
            "sources[shop].options.prefix: must be empty or a key prefix ending in / and not starting with /, got /shop",
            "sources[shop].options.format: must be one of csv, jsonl, parquet, got xlsx",
            "sources[shop].options.compression: must be one of none, gzip, got zip",
            "sources[shop].options.csv.delimiter: must be one ASCII character other than a newline, got ;;",
            "sources[shop].options.csv.encoding: must be an ASCII-compatible charset (UTF-8, ISO-8859-1, windows-1252, ...), got UTF-16",
            "sources[shop].options.split_bytes: must be at least 1024, got 10",
            "sources[shop].options.fields[0].name: must match [a-z_][a-z0-9_]* and not be _source_position, got Id",
            "sources[shop].options.fields[1].timestamp_format: must be a java.time pattern (Unknown pattern letter: b), got yyyy-MM-dd bogus",
            "sources[shop].options.fields[2].name: must be unique, got a second ts",
            "sources[shop].options.fields[2].type: must be one of string, int, long, double, boolean, date, timestamptz, decimal(p,s) (1 <= p <= 38, s <= p), got decimal(40,2)",
            "sources[shop].options.fields[3].timestamp_format: only applies to timestamptz and date fields, got a int field",
            "sources[shop].options.key[0]: must name a field in fields, got nope")));
  }

  @Test
  void unknownSettingIsRefusedWithItsPath() throws IOException {
    JsonNode bad = yaml("""
        prefix: shop/
        format: csv
        csv: {delimeter: ";"}
        fields:
          - {name: id, type: long}
        """);

    assertThatThrownBy(() -> FilesSourceOptions.parse("shop", bad))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessageStartingWith("sources[shop].options.csv.delimeter: Unrecognized field \"delimeter\"");
  }

  @Test
  void headerlessCsvNeedsColumnNumbersAsSources() throws IOException {
    JsonNode bad = yaml("""
        prefix: shop/
        format: csv
        csv: {header: false}
        fields:
          - {name: id, source: "0", type: long}
          - {name: name, type: string}
        """);

    assertThatThrownBy(() -> FilesSourceOptions.parse("shop", bad))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("sources[shop].options.fields[1].source: must be a 0-based column number when csv.header is false, got null");
  }

  @Test
  void missingOptionsAreRefused() {
    assertThatThrownBy(() -> FilesSourceOptions.parse("shop", null))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage("sources[shop].options: required for kind s3_files, got nothing");
  }
}
