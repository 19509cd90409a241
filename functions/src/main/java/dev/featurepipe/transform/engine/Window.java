package dev.featurepipe.transform.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A trailing window ending at the as-of date D, in whole UTC days: {@code 7d} is D-6..D. {@code
 * lifetime} is every tile up to D. The set is closed so every group's windows line up with the
 * daily tiles and the online store's column names stay predictable.
 */
public enum Window {
  D1("1d", 1),
  D7("7d", 7),
  D30("30d", 30),
  D90("90d", 90),
  LIFETIME("lifetime", Integer.MAX_VALUE);

  private final String label;
  private final int days;

  Window(String label, int days) {
    this.label = label;
    this.days = days;
  }

  /** The name used in config and as the output column suffix: {@code views_7d}. */
  public String label() {
    return label;
  }

  /** Length in days; {@link Integer#MAX_VALUE} for lifetime. */
  public int days() {
    return days;
  }

  public boolean isLifetime() {
    return this == LIFETIME;
  }

  public static Optional<Window> of(String label) {
    return Arrays.stream(values()).filter(w -> w.label.equals(label)).findFirst();
  }

  /** The labels in declaration order, for error messages. */
  public static List<String> labels() {
    return Arrays.stream(values()).map(Window::label).toList();
  }
}
