package dev.featurepipe.extract.files;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one decoded CSV record into fields (RFC 4180: a quoted field may hold the delimiter,
 * newlines and doubled quotes). Strict: a quote inside an unquoted field, text after a closing
 * quote or an unclosed quote make the record malformed, because guessing would silently shift
 * values between columns. Public because the CDC connector splits AWS DMS change files with it.
 */
public final class CsvLine {

  /** Why a record could not be split; the message names the rule and the 1-based column, never values. */
  public static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private CsvLine() {}

  /** The fields; an empty unquoted field is null, an empty quoted field is "". */
  public static List<String> split(String record, char delimiter, char quote) throws Malformed {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    int n = record.length();
    while (true) {
      int column = out.size() + 1;
      field.setLength(0);
      if (i < n && record.charAt(i) == quote) {
        i++;
        while (true) {
          if (i >= n) {
            throw new Malformed("column " + column + ": quoted field is not closed");
          }
          char c = record.charAt(i++);
          if (c == quote) {
            if (i < n && record.charAt(i) == quote) {
              field.append(quote);
              i++;
            } else {
              break;
            }
          } else {
            field.append(c);
          }
        }
        out.add(field.toString());
        if (i < n && record.charAt(i) != delimiter) {
          throw new Malformed("column " + column + ": text after the closing quote");
        }
      } else {
        int s = i;
        while (i < n && record.charAt(i) != delimiter) {
          if (record.charAt(i) == quote) {
            throw new Malformed("column " + column + ": quote inside an unquoted field");
          }
          i++;
        }
        out.add(i == s ? null : record.substring(s, i));
      }
      if (i >= n) {
        return out;
      }
      i++; // the delimiter
    }
  }
}
