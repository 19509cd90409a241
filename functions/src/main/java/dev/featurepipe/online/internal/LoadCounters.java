package dev.featurepipe.online.internal;

import java.util.concurrent.atomic.LongAdder;

/** Counts shared by a load's writer threads; sums, so they do not depend on which thread did what. */
public final class LoadCounters {
  public final LongAdder written = new LongAdder();
  public final LongAdder skipped = new LongAdder();
  public final LongAdder batches = new LongAdder();
  public final LongAdder retriedItems = new LongAdder();
  public final LongAdder throttledRequests = new LongAdder();
}
