package dev.featurepipe.infra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurepipe.gold.GoldLayout;
import dev.featurepipe.gold.TrainingManifest;
import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * {@code ./featurepipe train-set}: runs {@code statemachines/training.asl.json} through the local
 * Step Functions runner on the embedded stack's state (what {@code demo} and {@code run} left in
 * {@code .featurepipe/}). Labels are an {@code s3://} URI or a local file, which is uploaded to the
 * lake's {@code labels/} prefix first, under its SHA-256, so the manifest's label source stays valid.
 */
final class TrainSet {

  static final Set<String> OPTIONS = Set.of("labels", "model-version", "groups", "key-columns", "time-column",
      "label-column", "label-type", "run-id", "rows-per-part", "pin-from", "part-concurrency");

  private TrainSet() {}

  static void run(Args args, PrintStream out) {
    String labels = required(args, "labels", "--labels s3://bucket/key.csv or a local .csv/.parquet file");
    String mv = required(args, "model-version", "--model-version mv1");
    Path root = RepoRoot.locate();
    try (LocalPipeline local = LocalPipeline.start(root, StackOptions.defaults(root))) {
      LakeStore lake = new LakeStore(local.clients().s3(), local.context().names().lakeBucket());
      String uri = labels.startsWith("s3://") ? labels : upload(lake, Path.of(labels), out);
      ObjectNode input = request(args, local, lake, uri, mv);
      out.printf(Locale.ROOT, "FeaturePipe train-set: model version %s, labels %s, groups %s%n", mv, uri,
          input.get("groups"));
      ExecutionResult result = local.run(LocalPipeline.TRAINING, "train-set-" + System.currentTimeMillis(), input);
      report(lake, result, out);
    }
  }

  private static String required(Args args, String name, String example) {
    String v = args.options().get(name);
    if (v == null) {
      throw new Args.UsageError("train-set: " + example + " is required");
    }
    return v;
  }

  /** The run's input: the request of {@code PlanTrainingSet} ({@code events/plan-training-set.json}). */
  static ObjectNode request(Args args, LocalPipeline local, LakeStore lake, String uri, String mv) {
    ObjectNode input = Json.mapper().createObjectNode();
    input.put("modelVersion", mv);
    if (args.options().containsKey("run-id")) {
      input.put("runId", args.get("run-id", null));
    }
    ObjectNode source = input.putObject("labels").put("uri", uri);
    if (args.options().containsKey("time-column")) source.put("timeColumn", args.get("time-column", null));
    if (args.options().containsKey("label-column")) source.put("labelColumn", args.get("label-column", null));
    if (args.options().containsKey("label-type")) source.put("labelType", args.get("label-type", null));
    List<String> groups = args.options().containsKey("groups")
        ? List.of(args.get("groups", "").split(",")) : featureTables(local);
    if (groups.isEmpty()) {
      throw new IllegalStateException("no Silver feature tables yet; run ./featurepipe demo first");
    }
    groups.forEach(input.putArray("groups")::add);
    if (args.options().containsKey("key-columns")) {
      ObjectNode keys = input.putObject("keyColumns");
      for (String spec : args.get("key-columns", "").split(",")) {
        int eq = spec.indexOf('=');
        if (eq < 0) {
          groups.forEach(g -> keys.put(g, spec)); // one column for every group
        } else {
          keys.put(spec.substring(0, eq), spec.substring(eq + 1));
        }
      }
    }
    if (args.options().containsKey("pin-from")) {
      String earlier = args.get("pin-from", null);
      TrainingManifest m = lake.find(GoldLayout.manifest(mv, earlier))
          .map(b -> Json.read(b, TrainingManifest.class))
          .orElseThrow(() -> new Args.UsageError("train-set: --pin-from " + earlier + ": no training set "
              + GoldLayout.manifest(mv, earlier)));
      ObjectNode pins = input.putObject("snapshotIds");
      m.groups().stream().filter(g -> groups.contains(g.group())).forEach(g -> pins.put(g.group(), g.snapshotId()));
    }
    if (args.options().containsKey("rows-per-part")) {
      input.put("rowsPerPart", args.intValue("train-set", "rows-per-part", 0));
    }
    if (args.options().containsKey("part-concurrency")) {
      input.put("partConcurrency", args.intValue("train-set", "part-concurrency", 0));
    }
    return input;
  }

  /** Every feature table of the catalog (not the tiles), sorted by name. */
  private static List<String> featureTables(LocalPipeline local) {
    List<String> out = new ArrayList<>();
    try {
      for (TableIdentifier t : local.context().catalog().get()
          .listTables(Namespace.of(local.context().catalogDatabase()))) {
        if (!t.name().endsWith("_tiles")) {
          out.add(t.name());
        }
      }
    } catch (RuntimeException e) {
      return List.of(); // no namespace yet: nothing was ever committed
    }
    out.sort(String::compareTo);
    return out;
  }

  /** {@code labels/<sha16>/<file name>}: a changed file gets a new key, an unchanged one the same. */
  static String upload(LakeStore lake, Path file, PrintStream out) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read labels file " + file, e);
    }
    String name = file.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
    String key = "labels/" + Hashing.sha256Hex(bytes).substring(0, 16) + "/" + name;
    lake.put(key, bytes, 0, name.endsWith(".parquet") ? "application/vnd.apache.parquet" : "text/csv");
    String uri = "s3://" + lake.bucket() + "/" + key;
    out.printf(Locale.ROOT, "  uploaded %s (%s) to %s%n", file, RunReport.mb(bytes.length), uri);
    return uri;
  }

  static void report(LakeStore lake, ExecutionResult result, PrintStream out) {
    out.println();
    if (!result.status().equals("SUCCEEDED")) {
      out.printf(Locale.ROOT, "Training set FAILED: %s%n  %s%n", result.error().orElse("?"), result.cause().orElse(""));
      throw new IllegalStateException("the training set run failed: " + result.error().orElse("?"));
    }
    JsonNode s = result.output();
    TrainingManifest m = lake.getJson(s.get("manifest").get("key").asText(), TrainingManifest.class);
    out.printf(Locale.ROOT, "Training set %s for model version %s in %s%n", m.runId(), m.modelVersion(),
        RunReport.ms(RunReport.total(result)));
    TrainingManifest.LabelsRead l = m.labels();
    out.printf(Locale.ROOT, "  labels    %,d rows read, %,d used, %,d quarantined%s (sha256 %s)%n", l.rows(), l.used(),
        l.quarantined(), Main.reasons(l.rejectReasons()), l.sha256().substring(0, 16));
    if (l.quarantineKey() != null) {
      out.printf(Locale.ROOT, "            s3://%s/%s%n", lake.bucket(), l.quarantineKey());
    }
    for (TrainingManifest.GroupInput g : m.groups()) {
      out.printf(Locale.ROOT, "  silver    %s snapshot %d (%s on %s; %,d of %,d rows found a feature row)%n", g.table(),
          g.snapshotId(), g.keyColumn(), g.entityColumn(), s.path("matched").path(g.group()).asLong(), m.rows());
    }
    long bytes = m.files().stream().mapToLong(FileEntry::bytes).sum();
    out.printf(Locale.ROOT, "  gold      %,d rows in %d file%s, %s, %d columns%n", m.rows(), m.files().size(),
        m.files().size() == 1 ? "" : "s", RunReport.mb(bytes), org.apache.iceberg.SchemaParser.fromJson(m.schema())
            .columns().size());
    out.printf(Locale.ROOT, "  manifest  s3://%s/%s%n", lake.bucket(), GoldLayout.manifest(m.modelVersion(), m.runId()));
    out.printf(Locale.ROOT, "  sha256    %s (all part files)%n", RunReport.text(s, "combinedSha256"));
    out.printf(Locale.ROOT, "  rebuild   the same command with --labels %s --pin-from %s: the same bytes, whatever"
        + " Silver commits come later%n", l.uri(), m.runId());
  }
}
