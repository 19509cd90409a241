package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.lake.PartitionManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A public e-commerce events CSV in its own shape (the REES46 layout: "2019-10-01 00:00:00 UTC"
 * timestamps, event_type "cart") loads through the daily workflow by configuration alone.
 */
class FilesSourceEndToEndTest {

  private static final String CONFIG = """
      version: 1
      sources:
        - {id: clickstream, kind: s3_jsonl, prefix: clickstream/, schema: clickstream_event_v1}
        - id: shop_events
          kind: s3_files
          options:
            prefix: shop_events/
            format: csv
            split_bytes: 4096
            fields:
              - {name: event_time, type: timestamptz, required: true, timestamp_format: "yyyy-MM-dd HH:mm:ss 'UTC'"}
              - {name: event_type, type: string, required: true, values: {view: view, cart: add_to_cart, purchase: purchase}}
              - {name: product_id, type: long, required: true}
              - {name: price, type: "decimal(12,2)", required: true}
              - {name: user_id, type: long, required: true}
              - {name: user_session, type: string}
            key: [event_time, user_id]
      feature_groups:
        - {name: product_stats, version: 1, entity: product_id, source: clickstream, buckets: 4,
           PRODUCT_STATS_SPEC, online_ttl_days: 90}
      fanout: {chunks_per_extract: 3, extract_concurrency: 2, shards: 2, transform_concurrency: 2, load_concurrency: 2}
      """.replace("PRODUCT_STATS_SPEC", LocalStackFixture.PRODUCT_STATS_SPEC);

  @Test
  void anEcommerceCsvLoadsInByteRangeChunksWithMappedValuesAndItsBadRowQuarantined(@TempDir Path tempDir) {
    LocalDate date = LocalDate.of(2026, 11, 16);
    StringBuilder csv = new StringBuilder("event_time,event_type,product_id,price,user_id,user_session\n");
    List<String> expected = new ArrayList<>();
    String[] types = {"view", "cart", "purchase"};
    for (int i = 0; i < 600; i++) {
      String type = types[i % 3];
      String time = String.format(Locale.ROOT, "2026-11-16 %02d:%02d:%02d UTC", i / 60 % 24, i % 60, i % 60);
      String session = i % 5 == 0 ? "" : "\"s,\"\"" + i + "\"\"\"";   // quoted, with a comma and quotes
      csv.append(time).append(',').append(type).append(',').append(1000 + i % 37).append(',')
          .append(i % 100).append('.').append(String.format(Locale.ROOT, "%02d", i % 97)).append(',')
          .append(500_000 + i).append(',').append(session).append('\n');
      expected.add((1000 + i % 37) + "|" + (type.equals("cart") ? "add_to_cart" : type) + "|" + (500_000 + i));
    }
    csv.append("2026-11-16 12:00:00 UTC,remove_from_cart,1001,1.00,1,x\n"); // not in the value map
    LoadedConfig config = ConfigLoader.load(CONFIG.getBytes(StandardCharsets.UTF_8), "files.yaml");
    try (LocalStackFixture stack = new LocalStackFixture(tempDir, config, UnaryOperator.identity())) {
      stack.upload(61, date, 1_000, 1, 0);
      stack.local.clients().s3().putObject(b -> b.bucket(stack.local.context().names().sourceBucket())
          .key("shop_events/dt=" + date + "/2019-Oct.csv"), RequestBody.fromString(csv.toString()));

      ExecutionResult result = stack.runDaily(date, Map.of());

      assertThat(result.status()).as("%s %s", result.error(), result.cause()).isEqualTo("SUCCEEDED");
      PartitionManifest bronze = stack.lake().getJson(LakeLayout.bronzeManifest("shop_events", date),
          PartitionManifest.class);
      assertThat(bronze.files()).as("a 4 KiB split of a ~40 KB object").hasSizeGreaterThan(5);
      assertThat(bronze.rows()).isEqualTo(600);
      assertThat(bronze.quarantined()).isEqualTo(1);
      assertThat(bronze.rejectReasons()).containsOnlyKeys("unmapped_value");
      Schema projection = new Schema(
          Types.NestedField.required(2, "event_type", Types.StringType.get()),
          Types.NestedField.required(3, "product_id", Types.LongType.get()),
          Types.NestedField.required(5, "user_id", Types.LongType.get()));
      List<String> rows = new ArrayList<>();
      for (FileEntry f : bronze.files()) {
        for (Record r : ParquetFiles.read(stack.lake().get(f.key()), projection)) {
          rows.add(r.get(1) + "|" + r.get(0) + "|" + r.get(2));
        }
      }
      assertThat(rows).as("every row exactly once, cart mapped to add_to_cart").containsExactlyInAnyOrderElementsOf(expected);
    }
  }
}
