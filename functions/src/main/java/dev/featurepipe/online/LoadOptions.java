package dev.featurepipe.online;

import dev.featurepipe.online.internal.Deadline;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link FeatureLoader} writes: {@code threads} BatchWriteItem calls in flight at once (at
 * most {@code inFlightBatches} batches built ahead of them, which bounds the heap), retries with
 * backoff between {@code backoffBase} and {@code backoffCap}, and when to give up.
 *
 * <p>The deadline: with a Lambda context, its remaining time less {@code deadlineMargin} (time to
 * write the typed error and the load result before the runtime kills the function, which would
 * turn a retryable {@code ThrottledWrite} into an untyped timeout); without one (the local runner
 * without a context, tests, the benchmark), {@code defaultDeadline}.
 */
public record LoadOptions(
    int threads, int inFlightBatches, Duration backoffBase, Duration backoffCap, Duration defaultDeadline,
    Duration deadlineMargin) {

  /**
   * A BatchWriteItem call spends most of its time waiting on the network (about 10 ms to DynamoDB in
   * region), so 4 calls in flight keep one vCPU busy building items instead of idle.
   */
  public static final int THREADS_DEFAULT = 4;

  /** 25 ms doubling to 5 s: DynamoDB's own SDK retry policy starts at 25 ms for throttling too. */
  public static final Duration BACKOFF_BASE_DEFAULT = Duration.ofMillis(25);

  public static final Duration BACKOFF_CAP_DEFAULT = Duration.ofSeconds(5);

  /** Without a Lambda context: long enough for a shard on a throttled table, short of Lambda's 15 minutes. */
  public static final Duration DEADLINE_DEFAULT = Duration.ofMinutes(10);

  /** Left of a Lambda's remaining time for failing cleanly: the error, the logs. */
  public static final Duration MARGIN_DEFAULT = Duration.ofSeconds(20);

  public static final LoadOptions DEFAULTS = new LoadOptions(THREADS_DEFAULT, 2 * THREADS_DEFAULT,
      BACKOFF_BASE_DEFAULT, BACKOFF_CAP_DEFAULT, DEADLINE_DEFAULT, MARGIN_DEFAULT);

  public LoadOptions {
    if (threads < 1 || inFlightBatches < threads) {
      throw new IllegalArgumentException("load options: threads must be >= 1 and inFlightBatches >= threads, got "
          + threads + " and " + inFlightBatches);
    }
    if (backoffBase.isNegative() || backoffBase.isZero() || backoffCap.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException("load options: need 0 < backoffBase <= backoffCap, got " + backoffBase
          + " and " + backoffCap);
    }
  }

  public LoadOptions withThreads(int n) {
    return new LoadOptions(n, 2 * n, backoffBase, backoffCap, defaultDeadline, deadlineMargin);
  }

  public LoadOptions withDefaultDeadline(Duration d) {
    return new LoadOptions(threads, inFlightBatches, backoffBase, backoffCap, d, deadlineMargin);
  }

  /** From the Lambda's remaining time when there is one, else {@link #defaultDeadline}. */
  Deadline deadline(Optional<Duration> lambdaRemaining) {
    return Deadline.after(lambdaRemaining.map(r -> r.minus(deadlineMargin)).orElse(defaultDeadline));
  }
}
