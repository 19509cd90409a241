package dev.featurepipe.infra.sfn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;

/** Runs the iterations of one Map or Parallel state on a bounded pool, results in index order. */
final class Concurrency {

  private Concurrency() {}

  /**
   * Runs {@code task} for indexes {@code 0..n-1} on at most {@code parallelism} threads and returns
   * the results in index order, never completion order. When {@code stop} says so for a finished
   * task, {@code group} is cancelled and tasks that have not started yet yield {@code notStarted}.
   * With a parallelism of 1 everything runs on the calling thread, in order.
   *
   * <p>The pool's threads are platform daemon threads named {@code sfn-<name>-<n>}; the pool is
   * shut down before this returns, so no work outlives the state.
   */
  static <T> List<T> run(
      int n,
      int parallelism,
      Cancellation group,
      String name,
      IntFunction<T> task,
      BiPredicate<Integer, T> stop,
      T notStarted) {
    List<T> results = new ArrayList<>(n);
    if (parallelism <= 1 || n <= 1) {
      for (int i = 0; i < n; i++) {
        if (group.isCancelled()) {
          results.add(notStarted);
          continue;
        }
        T result = task.apply(i);
        results.add(result);
        if (stop.test(i, result)) {
          group.cancel();
        }
      }
      return results;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, n), threads(name));
    List<Future<T>> futures = new ArrayList<>(n);
    try {
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(
            pool.submit(
                () -> {
                  if (group.isCancelled()) {
                    return notStarted;
                  }
                  T result = task.apply(index);
                  if (stop.test(index, result)) {
                    group.cancel();
                  }
                  return result;
                }));
      }
    } finally {
      pool.shutdown();
    }
    RuntimeException failure = null;
    for (Future<T> future : futures) {
      try {
        results.add(future.get());
      } catch (ExecutionException e) {
        // A bug or an unwritable history, not a state failure: finish waiting, then rethrow.
        group.cancel();
        results.add(notStarted);
        if (failure == null) {
          failure =
              e.getCause() instanceof RuntimeException runtime
                  ? runtime
                  : new IllegalStateException("[BUG] iteration failed unexpectedly", e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        group.cancel();
        pool.shutdownNow();
        throw new IllegalStateException("interrupted while waiting for Map iterations", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return results;
  }

  private static ThreadFactory threads(String name) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "sfn-" + name + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
