package dev.featurepipe.extract.jdbc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.featurepipe.errors.CommitConflict;
import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.extract.jdbc.JdbcConnector.KeyStats;
import dev.featurepipe.ops.Json;
import dev.featurepipe.ops.Log;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The watermark window each date of an incremental ({@code watermark_column}) JDBC source reads,
 * fixed the first time the date is planned, so that every later plan of the date (a rerun, a
 * retry, a backfill) reads the same range and its re-sealed Bronze partition converges to the same
 * rows instead of being replaced by an empty one.
 *
 * <p>Control table items, {@code pk = ckpt:<source>}:
 * <ul>
 *   <li>{@code sk = jdbc_window#<date>}: that date's {@link Window}.
 *   <li>{@code sk = jdbc_frontier}: the latest planned date with its window ({@link Frontier}): a
 *       new date's window starts just past its end. Only ever advanced by compare-and-set, so two
 *       planners racing for new dates cannot both start from the same end and read rows twice.
 *   <li>{@code sk = jdbc_watermark}: the checkpoint earlier versions committed at seal. Read only to
 *       seed the first window when there is no frontier yet.
 * </ul>
 *
 * <p>Planning date D:
 * <ol>
 *   <li>D has a recorded window: reuse it.
 *   <li>D is the frontier's date (the planner stopped between the two writes): reuse the
 *       frontier's window and record it under D.
 *   <li>D's Bronze partition is already sealed (by a version that recorded no windows, or before
 *       the source had a watermark): refuse. Its window cannot be reproduced, and a new one would
 *       replace the partition's rows with another range's.
 *   <li>D is older than the frontier's date: record an <em>empty</em> window. The rows D would
 *       have held were read under later dates (a date skipped while its source was down is caught
 *       up by the next one), so an empty partition loses and duplicates nothing. Why not an error:
 *       the date's other sources must still be able to run, e.g. the rerun that completes a
 *       {@code PARTIAL} run after later dates ran. History before a source's first window needs a
 *       full extract: a source without {@code watermark_column}, or a {@code query} bounded by
 *       {@code :dt_start}/{@code :dt_end}.
 *   <li>Otherwise D is new: its window starts past the frontier's end, and its upper bound is the
 *       highest watermark at this moment, fixed before any chunk is read: rows written during the
 *       extraction with a higher watermark fall into the next date's window, once.
 * </ol>
 *
 * <p>What a rerun cannot reproduce: a row updated or deleted in the source since the first plan.
 * An updated row whose watermark moved past the window leaves it (it is read, with its new values,
 * by the next new date); a row still inside is read with its current values.
 */
final class WatermarkWindows {

  static final String WINDOW_KEY_PREFIX = "jdbc_window#";
  static final String FRONTIER_KEY = "jdbc_frontier";
  static final String LEGACY_KEY = "jdbc_watermark";

  /**
   * Compare-and-set attempts of one plan. Losing means another plan of the same source advanced
   * the frontier in between; one re-read settles it unless many plans race, which the backfill's
   * low MaxConcurrency rules out.
   */
  static final int CLAIM_ATTEMPTS = 5;

  /**
   * Rows whose watermark {@code w} has {@code after < w} (or {@code from <= w}; neither: no lower
   * bound) and {@code w <= upTo}. {@code upTo} null: the window is empty, nothing is read.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Window(
      @JsonProperty("after") String after,
      @JsonProperty("from") String from,
      @JsonProperty("up_to") String upTo) {

    static final Window UNBOUNDED = new Window(null, null, null);

    Window {
      if (after != null && from != null) {
        throw new IllegalArgumentException("[BUG] a window has one lower bound, got after " + after + " and from " + from);
      }
    }

    boolean empty() {
      return upTo == null;
    }

    /** Where the window of the next new date starts: just past this one's end. */
    Window next() {
      return upTo != null ? new Window(upTo, null, null) : new Window(after, from, null);
    }

    Window upTo(String bound) {
      return new Window(after, from, bound);
    }
  }

  /** The latest planned date of a source and its window. */
  record Frontier(@JsonProperty("date") String date, @JsonProperty("window") Window window) {}

  /** A date's window and, when this plan fixed it, the measurement it was fixed from (else null). */
  record Planned(Window window, KeyStats measured) {}

  private final String sourceId;
  private final WatermarkStore store;
  private final Predicate<LocalDate> partitionSealed;

  /** {@code partitionSealed}: whether the source's Bronze partition of a date has a manifest. */
  WatermarkWindows(String sourceId, WatermarkStore store, Predicate<LocalDate> partitionSealed) {
    this.sourceId = sourceId;
    this.store = store;
    this.partitionSealed = partitionSealed;
  }

  /**
   * The window of {@code dt} by the rules above. {@code firstLower} is the lower bound of a
   * source's very first window (when neither frontier nor legacy checkpoint exists); {@code
   * measure} asks the database about the rows from a lower bound on (capped as the connector
   * needs) and is called only when {@code dt} is new.
   */
  Planned plan(LocalDate dt, Window firstLower, Function<Window, KeyStats> measure) {
    String windowKey = WINDOW_KEY_PREFIX + dt;
    for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      Optional<Window> recorded = store.get(sourceId, windowKey).map(WatermarkWindows::window);
      if (recorded.isPresent()) {
        return new Planned(recorded.get(), null);
      }
      Optional<String> frontierText = store.get(sourceId, FRONTIER_KEY);
      Optional<Frontier> frontier = frontierText.map(t -> read(t, Frontier.class));
      if (frontier.isPresent() && frontier.get().date().equals(dt.toString())) {
        store.put(sourceId, windowKey, Json.string(frontier.get().window()));
        return new Planned(frontier.get().window(), null);
      }
      if (partitionSealed.test(dt)) {
        throw new InvalidInput("source " + sourceId + ": date " + dt + " has a sealed Bronze partition but no "
            + "recorded watermark window (control table pk ckpt:" + sourceId + ", sk " + windowKey + "), so its "
            + "rows cannot be read again; sealed before windows were recorded or before watermark_column was set. "
            + "Leave this source out of the rerun of " + dt + ", or record the window the partition was read with");
      }
      if (frontier.isPresent() && dt.isBefore(LocalDate.parse(frontier.get().date()))) {
        Window empty = frontier.get().window().next();
        if (store.putIf(sourceId, windowKey, Optional.empty(), Json.string(empty))) {
          Log.info("PlanDailyRun", "jdbc_window_empty", "source", sourceId, "date", dt, "latest_planned",
              frontier.get().date(), "reason", "older than the latest planned date and never planned: its rows "
                  + "were read under later dates; backfilling an incremental source needs a full extract");
          return new Planned(empty, null);
        }
        continue;
      }
      Window lower = frontier.map(f -> f.window().next())
          .or(() -> store.get(sourceId, LEGACY_KEY).map(w -> new Window(w, null, null)))
          .orElse(firstLower);
      KeyStats stats = measure.apply(lower);
      Window window = lower.upTo(stats.count() == 0 ? null : stats.maxWatermark());
      String claimed = Json.string(new Frontier(dt.toString(), window));
      if (store.putIf(sourceId, FRONTIER_KEY, frontierText, claimed)) {
        store.put(sourceId, windowKey, Json.string(window));
        return new Planned(window, stats);
      }
    }
    throw new CommitConflict("source " + sourceId + ": " + CLAIM_ATTEMPTS + " plans of " + dt + " in a row found "
        + "the watermark frontier advanced by another plan of the source; rerun when the other plans are done");
  }

  private static Window window(String json) {
    return read(json, Window.class);
  }

  private static <T> T read(String json, Class<T> type) {
    return Json.read(json.getBytes(StandardCharsets.UTF_8), type);
  }
}
