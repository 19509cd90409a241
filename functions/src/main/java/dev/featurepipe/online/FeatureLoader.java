package dev.featurepipe.online;

import dev.featurepipe.catalog.CommitResult;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.online.internal.AsOfGuard;
import dev.featurepipe.online.internal.Backoff;
import dev.featurepipe.online.internal.BatchWrites;
import dev.featurepipe.online.internal.Deadline;
import dev.featurepipe.online.internal.LoadCounters;
import dev.featurepipe.online.internal.SilverFiles;
import dev.featurepipe.transform.BucketFile;
import dev.featurepipe.transform.SilverSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Loads one shard of a committed feature group into DynamoDB: one full item per entity ({@link
 * FeatureItems}), in batches of 25.
 *
 * <p>Bounded heap whatever the shard's size: each Silver file is downloaded to a temp file and read
 * row by row; items are built on the calling thread in file order and handed to {@code threads}
 * writer threads as batches, at most {@code inFlightBatches} ahead. So the heap holds a few hundred
 * items, not the shard (other feature stores' Lambda materialization reads a partition whole and
 * runs out of memory on a large one).
 *
 * <p>Scheduling cannot change the table: batches are cut in file order, every entity occurs once in
 * a shard, and an item's bytes depend only on its row, the date and the run id, so which thread
 * writes which batch when only changes timing. A rerun of the date puts the same items again.
 *
 * <p>Older dates never overwrite newer ones: see {@link AsOfGuard}.
 */
public final class FeatureLoader {

  private final DynamoDbClient dynamo;
  private final String table;
  private final S3Client s3;
  private final LakeStore lake;
  private final LoadOptions options;

  public FeatureLoader(DynamoDbClient dynamo, String table, S3Client s3, LakeStore lake, LoadOptions options) {
    this.dynamo = dynamo;
    this.table = table;
    this.s3 = s3;
    this.lake = lake;
    this.options = options;
  }

  /**
   * Loads the shard and writes its {@link LoadResult} to the run's folder. {@code lambdaRemaining}:
   * the invoking Lambda's remaining time, if any, from which the retry deadline is derived.
   */
  public LoadResult load(String runId, LocalDate dt, FeatureGroupConfig group, int shard, int shardCount,
      String inputFingerprint, Optional<Duration> lambdaRemaining) {
    CommitResult commit = lake.getJson(LakeLayout.commitResult(runId, group.versionedName()), CommitResult.class);
    Schema schema = SilverSchemas.features(group);
    Deadline deadline = options.deadline(lambdaRemaining);
    LoadCounters counters = new LoadCounters();
    String asOf = dt.toString();
    long seedBase = ((long) group.versionedName().hashCode() << 20) ^ ((long) shard << 8) ^ shardCount;
    boolean fast = AsOfGuard.claim(dynamo, table, group.versionedName(), asOf, backoff(deadline, seedBase), counters);
    Writers writers = new Writers(fast, asOf, deadline, seedBase, counters);
    try {
      List<Map<String, AttributeValue>> pending = new ArrayList<>(BatchWrites.MAX_ITEMS);
      for (BucketFile f : commit.files()) {
        if (f.bucket() % shardCount != shard) {
          continue;
        }
        Path local = SilverFiles.download(s3, lake.bucket(), f.file(), tempDir());
        try (CloseableIterable<Record> rows = ParquetFiles.stream(local, schema)) {
          for (Record row : rows) {
            pending.add(FeatureItems.item(row, group, dt, runId));
            if (pending.size() == BatchWrites.MAX_ITEMS) {
              writers.submit(pending);
              pending = new ArrayList<>(BatchWrites.MAX_ITEMS);
            }
          }
        } finally {
          Files.deleteIfExists(local);
        }
      }
      if (!pending.isEmpty()) {
        writers.submit(pending);
      }
      writers.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a Silver file of " + group.versionedName() + " shard " + shard, e);
    } finally {
      writers.shutdown();
    }
    LoadResult result = new LoadResult(group.versionedName(), shard, shardCount, counters.written.sum(),
        counters.skipped.sum(), counters.batches.sum(), counters.retriedItems.sum(),
        counters.throttledRequests.sum(), !fast, inputFingerprint);
    long expected = commit.files().stream().filter(f -> f.bucket() % shardCount == shard)
        .mapToLong(f -> f.file().rows()).sum();
    if (result.written() + result.skipped() != expected) {
      throw new IllegalStateException("[BUG] " + group.versionedName() + " shard " + shard + " has " + expected
          + " Silver rows but the load wrote " + result.written() + " and skipped " + result.skipped());
    }
    lake.putJson(LakeLayout.loadResult(runId, group.versionedName(), shard, shardCount), result);
    return result;
  }

  private Backoff backoff(Deadline deadline, long seed) {
    return new Backoff(options.backoffBase(), options.backoffCap(), deadline, seed);
  }

  private static Path tempDir() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  /**
   * The writer threads and the bound on batches waiting for them. The first failure (a {@code
   * ThrottledWrite} at the deadline, an SDK error) stops new batches and is rethrown by {@link
   * #finish} or the next {@link #submit}.
   */
  private final class Writers {
    private final boolean fast;
    private final String asOf;
    private final Deadline deadline;
    private final long seedBase;
    private final LoadCounters counters;
    private final ExecutorService pool;
    private final Semaphore slots = new Semaphore(options.inFlightBatches());
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private long batchIndex;

    Writers(boolean fast, String asOf, Deadline deadline, long seedBase, LoadCounters counters) {
      this.fast = fast;
      this.asOf = asOf;
      this.deadline = deadline;
      this.seedBase = seedBase;
      this.counters = counters;
      AtomicInteger n = new AtomicInteger();
      this.pool = Executors.newFixedThreadPool(options.threads(), r -> {
        Thread t = new Thread(r, "featurepipe-load-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }

    void submit(List<Map<String, AttributeValue>> items) {
      rethrow();
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while loading features", e);
      }
      long seed = seedBase * 1_000_003L + batchIndex++;
      counters.batches.increment();
      pool.execute(() -> {
        try {
          if (failure.get() != null) {
            return;
          }
          if (fast) {
            List<WriteRequest> batch = new ArrayList<>(items.size());
            for (Map<String, AttributeValue> item : items) {
              batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
            BatchWrites.write(dynamo, table, batch, backoff(deadline, seed), counters);
          } else {
            long[] next = {seed};
            AsOfGuard.writeGuarded(dynamo, table, items, asOf, () -> backoff(deadline, next[0]++), counters);
          }
        } catch (RuntimeException e) {
          failure.compareAndSet(null, e);
        } finally {
          slots.release();
        }
      });
    }

    /** Waits for every batch, then rethrows the first failure if there was one. */
    void finish() {
      try {
        slots.acquire(options.inFlightBatches());
        slots.release(options.inFlightBatches());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while loading features", e);
      }
      rethrow();
    }

    void shutdown() {
      pool.shutdownNow();
    }

    private void rethrow() {
      RuntimeException e = failure.get();
      if (e != null) {
        throw e;
      }
    }
  }
}
