package dev.featurepipe.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinesTest {

  private static List<String> split(InputStream in, int max) throws IOException {
    List<String> out = new ArrayList<>();
    Lines.forEach(in, max, new Lines.Sink() {
      @Override
      public void line(byte[] buf, int off, int len, long lineNo) {
        out.add(lineNo + ":" + new String(buf, off, len, StandardCharsets.UTF_8));
      }

      @Override
      public void tooLong(long lineNo, long length) {
        out.add(lineNo + ":TOO_LONG(" + length + ")");
      }
    });
    return out;
  }

  @Test
  void splitsOnNewlinesDropsCarriageReturnsAndKeepsALastLineWithoutNewline() throws IOException {
    var in = new ByteArrayInputStream("a\r\nbb\n\nccc".getBytes(StandardCharsets.UTF_8));
    assertThat(split(in, 100)).containsExactly("1:a", "2:bb", "3:", "4:ccc");
  }

  @Test
  void linesSpanningManySmallReadsAreReassembled() throws IOException {
    String text = "x".repeat(3_000_000) + "\nshort\n";
    // A stream that returns at most 7 bytes per read, like a slow network body.
    InputStream trickle = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 7));
      }
    };
    List<String> lines = split(trickle, 4_000_000);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).hasSize(2 + 3_000_000);
    assertThat(lines.get(1)).isEqualTo("2:short");
  }

  @Test
  void overLongLinesAreReportedWithTheirLengthAndTheNextLineSurvives() throws IOException {
    String text = "ok\n" + "y".repeat(5_000_000) + "\nafter\n" + "z".repeat(3_000_000);
    assertThat(split(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 1 << 20))
        .containsExactly("1:ok", "2:TOO_LONG(5000000)", "3:after", "4:TOO_LONG(3000000)");
  }
}
