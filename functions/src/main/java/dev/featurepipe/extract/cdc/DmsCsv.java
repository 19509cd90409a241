package dev.featurepipe.extract.cdc;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one DMS CSV record (comma, double quote, RFC 4180 doubling) into cells. Strict like {@code
 * files.CsvLine}, which is package-private there: guessing at a stray quote would shift values
 * between columns.
 */
final class DmsCsv {

  /** Why a record could not be split; names the rule and the 1-based column, never values. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private DmsCsv() {}

  /** The cells; an empty unquoted cell (DMS's NULL) is null, an empty quoted cell is "". */
  static List<String> split(String record) throws Malformed {
    List<String> out = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    int i = 0;
    int n = record.length();
    while (true) {
      int column = out.size() + 1;
      cell.setLength(0);
      if (i < n && record.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new Malformed("column " + column + ": quoted field is not closed");
          }
          char c = record.charAt(i++);
          if (c == '"') {
            if (i < n && record.charAt(i) == '"') {
              cell.append('"');
              i++;
            } else {
              break;
            }
          } else {
            cell.append(c);
          }
        }
        out.add(cell.toString());
        if (i < n && record.charAt(i) != ',') {
          throw new Malformed("column " + column + ": text after the closing quote");
        }
      } else {
        int s = i;
        while (i < n && record.charAt(i) != ',') {
          if (record.charAt(i) == '"') {
            throw new Malformed("column " + column + ": quote inside an unquoted field");
          }
          i++;
        }
        out.add(i == s ? null : record.substring(s, i));
      }
      if (i >= n) {
        return out;
      }
      i++;
    }
  }
}
