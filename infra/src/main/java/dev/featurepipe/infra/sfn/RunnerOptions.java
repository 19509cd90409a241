package dev.featurepipe.infra.sfn;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * How the local runner runs.
 *
 * @param timeScale multiplies every Retry interval and Wait duration: 1.0 waits for real, 0.001
 *     compresses a 30-second backoff to 30 ms, 0 never waits. Task {@code TimeoutSeconds} is not
 *     scaled: it bounds real work.
 * @param maxParallelism the most Map iterations, Parallel branches or Distributed Map children one
 *     Map/Parallel state runs at once; a Map's {@code MaxConcurrency} can only lower it
 * @param historyBucket where execution histories are written, if anywhere
 * @param historyPrefix key prefix for histories: {@code <prefix><stateMachineName>/<executionName>.json}
 * @param clock every history and context-object timestamp; also "now" for Wait {@code Timestamp}
 * @param region the region in execution, state machine and Map Run ARNs
 */
public record RunnerOptions(
    double timeScale,
    int maxParallelism,
    Optional<String> historyBucket,
    String historyPrefix,
    Clock clock,
    String region) {

  /** The region used when none is given; ARNs only need to look like AWS's. */
  public static final String DEFAULT_REGION = "us-east-1";

  public RunnerOptions {
    if (!(timeScale >= 0) || Double.isInfinite(timeScale)) {
      throw new IllegalArgumentException("timeScale must be a finite number >= 0, got " + timeScale);
    }
    if (maxParallelism < 1) {
      throw new IllegalArgumentException("maxParallelism must be >= 1, got " + maxParallelism);
    }
    Objects.requireNonNull(historyBucket, "historyBucket");
    Objects.requireNonNull(historyPrefix, "historyPrefix");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(region, "region");
    if (historyBucket.isPresent() && historyBucket.get().isBlank()) {
      throw new IllegalArgumentException("historyBucket must not be blank");
    }
  }

  public RunnerOptions(
      double timeScale, int maxParallelism, Optional<String> historyBucket, String historyPrefix, Clock clock) {
    this(timeScale, maxParallelism, historyBucket, historyPrefix, clock, DEFAULT_REGION);
  }
}
