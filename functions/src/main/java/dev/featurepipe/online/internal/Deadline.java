package dev.featurepipe.online.internal;

import java.time.Duration;

/**
 * A point on the monotonic clock after which a step stops retrying and fails, so that the workflow's
 * Retry (not a Lambda timeout, which loses the typed error) decides what happens next.
 */
public record Deadline(long atNanos) {

  public static Deadline after(Duration duration) {
    return new Deadline(System.nanoTime() + duration.toNanos());
  }

  public long remainingNanos() {
    return atNanos - System.nanoTime();
  }

  public boolean passed() {
    return remainingNanos() <= 0;
  }
}
