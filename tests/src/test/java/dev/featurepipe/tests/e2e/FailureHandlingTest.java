package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.sfn.TaskInvoker;
import dev.featurepipe.lineage.RunRecord;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** Failed runs fail with a typed error and a clear message, and leave the last good state served. */
class FailureHandlingTest {

  @TempDir static Path tempDir;
  static LocalStackFixture stack;
  /**
   * Failure injection (not a mock of anything the test checks): deletes a source object just before
   * the Extract invocation whose batch holds it, standing in for a source that changes while a run
   * is in flight. Keyed by the batch's content, not by call order, so concurrency cannot race it.
   */
  static final AtomicReference<String> DELETE_BEFORE_EXTRACTING = new AtomicReference<>();

  @BeforeAll
  static void start() {
    stack = new LocalStackFixture(tempDir, lambdas -> (TaskInvoker) (ref, payload, info) -> {
      String victim = DELETE_BEFORE_EXTRACTING.get();
      if (victim != null && info.stateName().equals("Extract")
          && payload.path("Items").findValuesAsText("key").contains(victim)
          && DELETE_BEFORE_EXTRACTING.compareAndSet(victim, null)) {
        stack.local.clients().s3()
            .deleteObject(b -> b.bucket(stack.local.context().names().sourceBucket()).key(victim));
      }
      return lambdas.invoke(ref, payload, info);
    });
  }

  @AfterAll
  static void stop() {
    if (stack != null) stack.close();
  }

  @Test
  void aSourceObjectVanishingMidRunFailsExtractWithSourceObjectMissingAndKeepsThePreviousState() {
    LocalDate date = LocalDate.of(2026, 10, 1);
    stack.upload(21, date, 4_000, 3, 0);
    assertThat(stack.runDaily(date, Map.of()).status()).isEqualTo("SUCCEEDED");
    long snapshotBefore = stack.silverTable().currentSnapshot().snapshotId();
    List<Record> rowsBefore = stack.silverRows(date);
    var itemsBefore = stack.onlineItems(date);

    stack.upload(22, date, 4_000, 3, 0); // new content for the same day
    String victim = stack.sourceKeys(date).get(1);
    DELETE_BEFORE_EXTRACTING.set(victim);
    ExecutionResult result = stack.runDaily(date, Map.of());

    // As on AWS, a failed Distributed Map reports the threshold error; the item's own typed error
    // and message are in the Map Run's results and, from there, in the run record.
    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).contains("States.ExceedToleratedFailureThreshold");
    stack.silverTable().refresh();
    assertThat(stack.silverTable().currentSnapshot().snapshotId()).isEqualTo(snapshotBefore);
    assertThat(stack.silverRows(date)).containsExactlyInAnyOrderElementsOf(rowsBefore);
    assertThat(stack.onlineItems(date)).isEqualTo(itemsBefore);
    RunRecord record = stack.runRecord(date);
    assertThat(record.status()).isEqualTo("FAILED");
    assertThat(record.failure().error()).isEqualTo("States.ExceedToleratedFailureThreshold");
    assertThat(record.failure().items()).singleElement().satisfies(item -> {
      assertThat(item.error()).isEqualTo("dev.featurepipe.errors.SourceObjectMissing");
      assertThat(item.message()).isEqualTo("source object s3://featurepipe-source/" + victim
          + " (chunk events-00001) does not exist; it was listed when the run was planned, so rerun the date to re-plan");
      assertThat(item.sourceKeys()).containsExactly(victim);
    });
  }

  @Test
  void aTruncatedGzipObjectFailsWithSourceObjectCorruptNamingTheObject() {
    LocalDate date = LocalDate.of(2026, 10, 2);
    var data = stack.upload(23, date, 2_000, 2, 0);
    byte[] gzip = data.objects().get(0).gzip();
    String key = "clickstream/dt=" + date + "/late-delivery.jsonl.gz";
    stack.local.clients().s3().putObject(b -> b.bucket(stack.local.context().names().sourceBucket()).key(key),
        RequestBody.fromBytes(Arrays.copyOf(gzip, gzip.length / 2)));

    ExecutionResult result = stack.runDaily(date, Map.of());

    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).contains("States.ExceedToleratedFailureThreshold");
    assertThat(stack.runRecord(date).failure().items()).singleElement().satisfies(item -> {
      assertThat(item.error()).isEqualTo("dev.featurepipe.errors.SourceObjectCorrupt");
      assertThat(item.message()).startsWith("s3://featurepipe-source/" + key + " is not a complete gzip stream (")
          .endsWith("); re-deliver the object or remove it from the source");
    });
  }

  @Test
  void aDayWithNoSourceObjectsFailsAsSourceUnavailableAfterRetries() {
    LocalDate date = LocalDate.of(2026, 10, 3);

    ExecutionResult result = stack.runDaily(date, Map.of());

    assertThat(result.status()).isEqualTo("FAILED");
    assertThat(result.error()).contains("dev.featurepipe.errors.SourceUnavailable");
    assertThat(result.cause().orElseThrow())
        .contains("no objects under s3://featurepipe-source/clickstream/dt=2026-10-03/; the source has not delivered 2026-10-03 yet");
    assertThat(result.cause().orElseThrow()).contains("no source could be reached after 4 attempts");
    long planAttempts = result.history().stream()
        .filter(e -> "PlanDailyRun".equals(e.stateName()) && e.type().equals("TaskScheduled")).count();
    assertThat(planAttempts).as("the first plan and 3 re-plans after waiting").isEqualTo(4);
    assertThat(result.history()).filteredOn(e -> "WaitForSources".equals(e.stateName())
        && e.type().equals("WaitStateEntered")).hasSize(3);
  }
}
