package dev.featurepipe.tests.online;

import static dev.featurepipe.tests.online.OnlineStoreFixture.USER_ACTIVITY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.aws.AwsSettings;
import dev.featurepipe.catalog.CommitResult;
import dev.featurepipe.config.LakeNames;
import dev.featurepipe.infra.demo.FeatureShardGenerator;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.online.FeatureLoader;
import dev.featurepipe.online.LoadOptions;
import dev.featurepipe.online.LoadResult;
import dev.featurepipe.ops.Json;
import dev.featurepipe.transform.BucketFile;
import dev.featurepipe.transform.SilverSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * The loader's heap stays bounded whatever the shard's size: a shard of {@value #ENTITIES}
 * user_activity entities is loaded into dynalite by a separate JVM with {@value #HEAP}, and, as the
 * control that makes the test able to fail, reading the same shard whole (as the loader used to:
 * every row in a List) in a JVM with the same heap runs out of memory.
 */
class BoundedHeapLoadTest extends OnlineStoreTest {

  static final int ENTITIES = 100_000;
  static final String HEAP = "-Xmx64m";
  static final LocalDate DT = LocalDate.parse("2026-11-24");
  static final String RUN_ID = "daily-2026-11-24";

  @TempDir Path logs;

  @Test
  void aShardThatDoesNotFitTheHeapLoadsCompletelyUnderASmallXmx() throws Exception {
    CommitResult commit = FeatureShardGenerator.commit(store.lake, RUN_ID, DT, USER_ACTIVITY, ENTITIES, 2, 5);

    Child whole = fork(WholeShardRead.class);
    Child load = fork(LoadShard.class);

    assertThat(whole.exit()).as("reading the shard whole under %s must fail", HEAP).isNotZero();
    assertThat(whole.output()).contains("java.lang.OutOfMemoryError");
    assertThat(load.exit()).as("the load under %s:%n%s", HEAP, load.output()).isZero();
    String json = load.output().lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow().substring(7);
    LoadResult r = Json.read(json.getBytes(StandardCharsets.UTF_8), LoadResult.class);
    assertThat(r.written()).isEqualTo(commit.rows()).isEqualTo(ENTITIES);
    assertThat(countItems()).isEqualTo(ENTITIES);
  }

  long countItems() {
    long n = 0;
    Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> start = null;
    do {
      var from = start;
      var page = store.clients.dynamoDb().scan(b -> b.tableName(store.table).select(Select.COUNT)
          .filterExpression("sk = :sk").expressionAttributeValues(Map.of(":sk",
              software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("user_activity_v1")))
          .exclusiveStartKey(from));
      n += page.count();
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    return n;
  }

  record Child(int exit, String output) {}

  /** Runs {@code main} in a new JVM on this test's class path with the small heap and the stack's environment. */
  Child fork(Class<?> main) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path out = logs.resolve(main.getSimpleName() + ".log");
    ProcessBuilder pb = new ProcessBuilder(java, HEAP, "-cp", System.getProperty("java.class.path"), main.getName())
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().putAll(store.stack.environment());
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(main.getSimpleName() + " did not end within 10 minutes");
    }
    return new Child(p.exitValue(), Files.readString(out));
  }

  static LakeStore lake(AwsClients clients) {
    return new LakeStore(clients.s3(), LakeNames.fromEnvironment(System.getenv()).lakeBucket());
  }

  /** The loader, as LoadFeatures runs it, in the small heap. */
  public static final class LoadShard {
    public static void main(String[] args) {
      LakeNames names = LakeNames.fromEnvironment(System.getenv());
      try (AwsClients clients = new AwsClients(AwsSettings.fromEnvironment(System.getenv()))) {
        LoadResult r = new FeatureLoader(clients.dynamoDb(), names.featureTable(), clients.s3(), lake(clients),
            LoadOptions.DEFAULTS).load(RUN_ID, DT, USER_ACTIVITY, 0, 1, "heap", Optional.empty());
        System.out.println("RESULT " + Json.string(r));
      }
    }
  }

  /** The control: every row of the shard in one List, as the loader used to read a Silver file. */
  public static final class WholeShardRead {
    public static void main(String[] args) {
      try (AwsClients clients = new AwsClients(AwsSettings.fromEnvironment(System.getenv()))) {
        LakeStore lake = lake(clients);
        CommitResult commit = lake.getJson(LakeLayout.commitResult(RUN_ID, "user_activity_v1"), CommitResult.class);
        List<Record> all = new ArrayList<>();
        for (BucketFile f : commit.files()) {
          all.addAll(ParquetFiles.read(lake.get(f.file().key()), SilverSchemas.features(USER_ACTIVITY)));
        }
        System.out.println("READ " + all.size());
      }
    }
  }
}
