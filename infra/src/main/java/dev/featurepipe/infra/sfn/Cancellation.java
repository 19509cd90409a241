package dev.featurepipe.infra.sfn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A cancellation flag that propagates to its children: a Map or Parallel state stops its other
 * iterations when one fails, and a stopped iteration stops the maps nested in it. Flows check it
 * between states and while they wait; a running task is never interrupted.
 */
final class Cancellation {

  private final CountDownLatch cancelled = new CountDownLatch(1);
  private final Cancellation parent;
  private final List<Cancellation> children = new ArrayList<>();

  Cancellation() {
    this(null);
  }

  private Cancellation(Cancellation parent) {
    this.parent = parent;
  }

  /** A child that is cancelled when this one is (immediately, if this one already is). */
  Cancellation child() {
    Cancellation child = new Cancellation(this);
    boolean cancelNow;
    synchronized (this) {
      cancelNow = isCancelled();
      if (!cancelNow) {
        children.add(child);
      }
    }
    if (cancelNow) {
      child.cancel();
    }
    return child;
  }

  void cancel() {
    List<Cancellation> toCancel;
    synchronized (this) {
      if (isCancelled()) {
        return;
      }
      cancelled.countDown();
      toCancel = List.copyOf(children);
      children.clear();
    }
    toCancel.forEach(Cancellation::cancel);
  }

  boolean isCancelled() {
    return cancelled.getCount() == 0;
  }

  /** Detaches a finished child so long Map runs do not accumulate them. */
  void close() {
    if (parent != null) {
      synchronized (parent) {
        parent.children.remove(this);
      }
    }
  }

  /**
   * Waits for {@code millis} unless cancelled first.
   *
   * @return true when cancelled (or interrupted) before the time was up
   */
  boolean sleep(long millis) {
    if (millis <= 0) {
      return isCancelled();
    }
    try {
      return cancelled.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
