package dev.featurepipe.extract.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordsTest {

  private record Seen(long offset, String text) {}

  private static List<Seen> records(String data, long base, long limit, int quote, int max) throws IOException {
    List<Seen> out = new ArrayList<>();
    Records.forEach(new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)), base, limit, quote, max,
        new Records.Sink() {
          @Override
          public void record(byte[] buf, int off, int len, long offset) {
            out.add(new Seen(offset, new String(buf, off, len, StandardCharsets.UTF_8)));
          }

          @Override
          public void tooLong(long offset, long length) {
            out.add(new Seen(offset, "TOO LONG " + length));
          }
        });
    return out;
  }

  @Test
  void newlinesInsideQuotesDoNotEndACsvRecord() throws IOException {
    String data = "a,\"x\ny\"\r\nb,\"say \"\"hi\"\"\n\"\nc,z";

    assertThat(records(data, 0, Long.MAX_VALUE, '"', 1000)).containsExactly(
        new Seen(0, "a,\"x\ny\""),
        new Seen(9, "b,\"say \"\"hi\"\"\n\""),
        new Seen(25, "c,z"));
  }

  @Test
  void everyNewlineEndsAJsonLineAndOffsetsCountFromTheBase() throws IOException {
    assertThat(records("{\"a\":\"\\\"\"}\n{}\n", 100, Long.MAX_VALUE, -1, 1000)).containsExactly(
        new Seen(100, "{\"a\":\"\\\"\"}"), new Seen(111, "{}"));
  }

  @Test
  void recordStartingBeforeTheLimitIsReadToItsEndAndLaterOnesAreNot() throws IOException {
    assertThat(records("aaaa\nbbbb\ncccc\n", 0, 6, -1, 1000)).containsExactly(new Seen(0, "aaaa"), new Seen(5, "bbbb"));
  }

  @Test
  void overLongRecordIsReportedWithItsLengthAndTheNextOneStillRead() throws IOException {
    char[] big = new char[200_000];
    Arrays.fill(big, 'x');
    String data = "ok\n" + new String(big) + "\nnext\n";

    assertThat(records(data, 0, Long.MAX_VALUE, '"', 70_000)).containsExactly(
        new Seen(0, "ok"), new Seen(3, "TOO LONG 200000"), new Seen(200_004, "next"));
  }

  @Test
  void csvLineSplitsQuotedDelimitersAndDoubledQuotes() throws CsvLine.Malformed {
    assertThat(CsvLine.split("1,\"a,b\",,\"\",\"say \"\"hi\"\"\"", ',', '"'))
        .containsExactly("1", "a,b", null, "", "say \"hi\"");
  }

  @Test
  void csvLineRefusesStrayQuotesWithTheColumn() {
    assertThatThrownBy(() -> CsvLine.split("1,ab\"c", ',', '"')).hasMessage("column 2: quote inside an unquoted field");
    assertThatThrownBy(() -> CsvLine.split("\"a\"b,1", ',', '"')).hasMessage("column 1: text after the closing quote");
    assertThatThrownBy(() -> CsvLine.split("1,\"ab", ',', '"')).hasMessage("column 2: quoted field is not closed");
  }
}
