package dev.featurepipe.online.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  static final Duration BASE = Duration.ofMillis(1);
  static final Duration CAP = Duration.ofMillis(8);

  @Test
  void everyWaitIsWithinTheDoublingCeilingCappedAndTheSameSeedReplaysTheSameWaits() {
    Backoff a = new Backoff(BASE, CAP, Deadline.after(Duration.ofHours(1)), 42);
    Backoff b = new Backoff(BASE, CAP, Deadline.after(Duration.ofHours(1)), 42);
    long maxSeen = 0;
    for (int n = 0; n < 2000; n++) {
      long ceiling = Math.min(CAP.toNanos(), BASE.toNanos() << Math.min(n, 30));
      long wait = a.nextWaitNanos();
      assertThat(wait).isBetween(0L, ceiling);
      assertThat(b.nextWaitNanos()).isEqualTo(wait);
      maxSeen = Math.max(maxSeen, wait);
    }
    // Full jitter spreads over the whole range, up to near the cap.
    assertThat(maxSeen).isGreaterThan(CAP.toNanos() / 2);
  }

  @Test
  void pauseGivesUpAtOnceWhenTheDeadlineHasPassed() {
    Backoff backoff = new Backoff(BASE, CAP, Deadline.after(Duration.ofMillis(-1)), 7);

    assertThat(backoff.pause()).isFalse();
    assertThat(backoff.attempts()).isEqualTo(1);
  }
}
