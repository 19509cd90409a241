package dev.featurepipe.online.internal;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Capped exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS Architecture
 * Blog, 2015): before retry {@code n} wait a uniform time in {@code [0, min(cap, base * 2^n)]}, so
 * many writers throttled together do not retry together. The jitter's random source is seeded by
 * the caller (group, shard, batch), so a replay waits the same; waits only shape timing, never
 * output bytes. Gives up when the next wait would end past the deadline.
 */
public final class Backoff {

  private final Duration base;
  private final Duration cap;
  private final Deadline deadline;
  private final SplittableRandom random;
  private int attempt;

  public Backoff(Duration base, Duration cap, Deadline deadline, long seed) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("[BUG] backoff needs 0 < base <= cap, got base " + base + " cap " + cap);
    }
    this.base = base;
    this.cap = cap;
    this.deadline = deadline;
    this.random = new SplittableRandom(seed);
  }

  /** The next wait, uniform in [0, min(cap, base * 2^attempt)]; counts the attempt. */
  long nextWaitNanos() {
    long ceiling = Math.min(cap.toNanos(), base.toNanos() << Math.min(attempt, 30));
    attempt++;
    return random.nextLong(ceiling + 1);
  }

  /** Retries waited for so far. */
  public int attempts() {
    return attempt;
  }

  /**
   * Waits before the next retry and returns true, or returns false at once when the deadline has
   * passed or would pass during the wait: the caller then fails with its typed error.
   */
  public boolean pause() {
    long wait = nextWaitNanos();
    if (deadline.remainingNanos() <= wait) {
      return false;
    }
    try {
      Thread.sleep(Duration.ofNanos(wait));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
