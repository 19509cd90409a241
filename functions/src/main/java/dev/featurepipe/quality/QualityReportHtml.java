package dev.featurepipe.quality;

import java.nio.charset.StandardCharsets;

/**
 * The quality report as one self-contained HTML page (inline CSS, no scripts, no external
 * resources), for people: a table per source with each rule's outcome, observed value, threshold
 * and detail. Its bytes follow from the report alone.
 */
public final class QualityReportHtml {

  private QualityReportHtml() {}

  public static byte[] render(QualityReport report, String jsonKey) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Quality report ")
        .append(esc(report.runId())).append("</title>\n<style>\n")
        .append("body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n")
        .append("table{border-collapse:collapse;margin:0 0 2em;width:100%}\n")
        .append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\n")
        .append("th{background:#f3f3f3}.pass{background:#e6f4ea}.warn{background:#fff4d6}")
        .append(".fail{background:#fde2e1;font-weight:bold}.quarantined{background:#e8eefc}\n")
        .append("code{font-size:13px}\n</style></head><body>\n");
    h.append("<h1>Bronze quality: <span class=\"").append(esc(report.outcome())).append("\">")
        .append(esc(report.outcome())).append("</span></h1>\n<p>Run <code>").append(esc(report.runId()))
        .append("</code>, date ").append(esc(report.dt())).append(". ").append(report.rulesPassed()).append(" of ")
        .append(report.rules()).append(" rules passed; ").append(Numbers.plain(report.passRatePercent()))
        .append("% of ").append(report.checkedRows()).append(" checked rows broke no row-level rule")
        .append(report.rowCountDeltaPercent() == null ? "" : "; largest row-count change "
            + Numbers.plain(report.rowCountDeltaPercent()) + "%")
        .append(". Machine-readable: <code>").append(esc(jsonKey)).append("</code>.</p>\n");
    for (QualityReport.Source s : report.sources()) {
      h.append("<h2>").append(esc(s.sourceId())).append("</h2>\n<p><code>").append(esc(s.partition()))
          .append("</code>: ").append(s.bronzeRows()).append(" Bronze rows, ").append(s.quarantinedByRules())
          .append(" quarantined by rules.</p>\n");
      if (s.rules().isEmpty()) {
        h.append("<p>No quality rules are declared for this source.</p>\n");
        continue;
      }
      h.append("<table><tr><th>#</th><th>rule</th><th>column</th><th>action</th><th>outcome</th>")
          .append("<th>observed</th><th>threshold</th><th>detail</th></tr>\n");
      for (RuleOutcome o : s.rules()) {
        h.append("<tr class=\"").append(esc(o.outcome())).append("\"><td>").append(o.index()).append("</td><td>")
            .append(esc(o.rule())).append("</td><td>").append(o.column() == null ? "" : esc(o.column()))
            .append("</td><td>").append(esc(o.action())).append("</td><td>").append(esc(o.outcome()))
            .append("</td><td>").append(o.observed() == null ? "&ndash;" : Numbers.plain(o.observed()))
            .append("</td><td>").append(esc(o.threshold())).append("</td><td>").append(esc(o.detail()))
            .append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    h.append("</body></html>\n");
    return h.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String esc(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
