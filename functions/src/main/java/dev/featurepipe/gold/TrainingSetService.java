package dev.featurepipe.gold;

import dev.featurepipe.catalog.SilverCommitter;
import dev.featurepipe.config.PipelineContext;
import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.errors.SourceObjectMissing;
import dev.featurepipe.gold.TrainingEvents.CommitRequest;
import dev.featurepipe.gold.TrainingEvents.Committed;
import dev.featurepipe.gold.TrainingEvents.PartRequest;
import dev.featurepipe.gold.TrainingEvents.PartResult;
import dev.featurepipe.gold.TrainingEvents.Planned;
import dev.featurepipe.gold.TrainingManifest.GroupInput;
import dev.featurepipe.gold.TrainingManifest.LabelsRead;
import dev.featurepipe.gold.internal.LabelReader;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import dev.featurepipe.ops.Log;
import dev.featurepipe.run.S3Ref;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Builds point-in-time correct training sets from the Silver feature tables (see {@link PointInTime}
 * for which day a label sees). Three steps, one per state of {@code statemachines/training.asl.json}:
 *
 * <ol>
 *   <li>{@link #plan}: reads the labels once, rejects unusable rows to quarantine with reasons, pins
 *       each group's Silver snapshot id (the request's, or the current one), sorts the rows into the
 *       training set's total order and cuts them into parts of {@code rowsPerPart} rows.
 *   <li>{@link #buildPart}: for one part, reads each group's Silver rows of the part's feature dates
 *       at the pinned snapshot (Iceberg time travel) and writes the part's Parquet file, named by its
 *       content.
 *   <li>{@link #commit}: writes the manifest (the switch) and removes files of earlier attempts.
 * </ol>
 *
 * Output bytes depend only on the labels' rows, the request's config and the snapshots' data: not on
 * the labels' row order, the part concurrency, the run id or the machine.
 */
public final class TrainingSetService {

  /** The column holding the Silver day each row's features are from. */
  public static final String FEATURE_DATE = "feature_date";
  /** Output feature columns are {@code <group>__<feature>}: groups share feature names (views_1d). */
  public static final String GROUP_SEPARATOR = "__";
  static final String ROW_ORDER = "label time, then entity keys in column order, then label (nulls first)";
  static final String POINT_IN_TIME = "features of Silver dt = (UTC date of the label time) - 1 day, the latest day"
      + " complete at the label time; an entity without a row that day gets nulls";
  private static final String PARQUET = "application/vnd.apache.parquet";
  private static final String AS_OF = "as_of";
  private static final String DT = "dt";
  private static final String ENTITY_PROPERTY = "featurepipe.entity";

  private final PipelineContext context;
  private final LakeStore lake;

  public TrainingSetService(PipelineContext context) {
    this.context = context;
    this.lake = new LakeStore(context.s3(), context.names().lakeBucket());
  }

  // ------------------------------------------------------------------------------------------ plan

  public Planned plan(TrainingRequest request) {
    LabelSource source = request.labels();
    byte[] labelBytes = readLabels(source);
    String labelsSha = Hashing.sha256Hex(labelBytes);

    Catalog catalog = context.catalog().get();
    List<Resolved> groups = new ArrayList<>();
    for (String g : request.groups()) {
      groups.add(resolve(catalog, g, request.snapshotIds().get(g), request.keyColumns().get(g)));
    }
    Map<String, Type> keyTypes = new LinkedHashMap<>();
    for (Resolved r : groups) {
      Type earlier = keyTypes.putIfAbsent(r.keyColumn(), r.entityType());
      if (earlier != null && !earlier.equals(r.entityType())) {
        throw new InvalidInput("keyColumns: labels column " + r.keyColumn() + " joins entity columns of types "
            + earlier + " and " + r.entityType() + "; give the groups separate key columns");
      }
    }
    List<LabelReader.KeyColumn> keys = new ArrayList<>();
    keyTypes.forEach((name, type) -> keys.add(new LabelReader.KeyColumn(name, type)));

    LabelReader.Result read = LabelReader.read(labelBytes, source.format(), source.uri(), keys, source.timeColumn(),
        source.labelColumn(), source.labelType());
    Schema schema = outputSchema(keys, source, read.labelType(), groups);

    List<LabelReader.Row> rows = new ArrayList<>(read.rows());
    rows.sort(rowOrder(keys.size()));

    SortedMap<String, Object> config = new TreeMap<>();
    config.put("modelVersion", request.modelVersion());
    config.put("labels", source);
    config.put("groups", request.groups());
    SortedMap<String, String> keyColumns = new TreeMap<>();
    groups.forEach(r -> keyColumns.put(r.group(), r.keyColumn()));
    config.put("keyColumns", keyColumns);
    config.put("rowsPerPart", request.rowsPerPart());
    config.put("pointInTime", POINT_IN_TIME);
    config.put("rowOrder", ROW_ORDER);
    String configSha = Hashing.sha256Hex(Json.bytes(config));
    SortedMap<String, Long> snapshotIds = new TreeMap<>();
    groups.forEach(r -> snapshotIds.put(r.group(), r.snapshotId()));
    String runId = request.runId() != null ? request.runId()
        : "ts-" + Hashing.sha256Hex((configSha + "\n" + labelsSha + "\n" + Json.string(snapshotIds))
            .getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    String mv = request.modelVersion();

    SortedMap<String, Long> reasons = new TreeMap<>();
    read.rejects().forEach(r -> reasons.merge(r.reason(), 1L, Long::sum));
    String quarantineKey = null;
    if (!read.rejects().isEmpty()) {
      quarantineKey = GoldLayout.quarantine(mv, runId);
      StringBuilder lines = new StringBuilder();
      for (LabelReader.Reject r : read.rejects()) {
        Map<String, Object> line = new TreeMap<>();
        line.put("position", r.position());
        line.put("reason", r.reason());
        line.put("detail", r.detail());
        line.put("raw", r.raw());
        lines.append(Json.string(line)).append('\n');
      }
      lake.put(quarantineKey, lines.toString().getBytes(StandardCharsets.UTF_8), read.rejects().size(),
          "application/x-ndjson");
    }

    Schema labelSchema = labelSchema(schema, keys, source);
    List<TrainingPlan.Part> parts = new ArrayList<>();
    int partCount = Math.max(1, (int) Math.ceil(rows.size() / (double) request.rowsPerPart()));
    if (partCount > 99_999) {
      throw new InvalidInput("rowsPerPart: " + rows.size() + " label rows at " + request.rowsPerPart()
          + " per part make " + partCount + " parts; at most 99,999: raise rowsPerPart");
    }
    for (int p = 0; p < partCount; p++) {
      List<LabelReader.Row> slice =
          rows.subList(p * request.rowsPerPart(), Math.min(rows.size(), (p + 1) * request.rowsPerPart()));
      List<Record> records = new ArrayList<>(slice.size());
      GenericRecord template = GenericRecord.create(labelSchema);
      for (LabelReader.Row row : slice) {
        GenericRecord rec = template.copy();
        int i = 0;
        for (Object key : row.keys()) {
          rec.set(i++, key);
        }
        rec.set(i++, row.time().atOffset(ZoneOffset.UTC));
        rec.set(i++, row.label());
        rec.set(i, PointInTime.featureDate(row.time()));
        records.add(rec);
      }
      String key = GoldLayout.labelPart(runId, p);
      byte[] bytes = ParquetFiles.write(labelSchema, records);
      lake.put(key, bytes, records.size(), PARQUET);
      String first = slice.isEmpty() ? null : PointInTime.featureDate(slice.get(0).time()).toString();
      String last = slice.isEmpty() ? null : PointInTime.featureDate(slice.get(slice.size() - 1).time()).toString();
      parts.add(new TrainingPlan.Part(p, key, slice.size(), first, last));
    }

    LabelsRead labels = new LabelsRead(source.uri(), source.format(), source.timeColumn(), source.labelColumn(),
        read.labelType().toString(), labelsSha, labelBytes.length, read.total(), rows.size(), read.rejects().size(),
        reasons, quarantineKey);
    List<GroupInput> inputs = groups.stream().map(Resolved::input).toList();
    TrainingPlan plan = new TrainingPlan(runId, mv, inputs, labels, parts, SchemaParser.toJson(schema), configSha,
        context.config().sha256(), context.codeVersion());
    String planKey = GoldLayout.plan(runId);
    lake.putJson(planKey, plan);
    List<PartRequest> items = new ArrayList<>();
    for (int p = 0; p < partCount; p++) {
      items.add(new PartRequest(runId, mv, lake.bucket(), p));
    }
    String itemsKey = GoldLayout.items(runId);
    lake.putJson(itemsKey, items);
    Log.info("PlanTrainingSet", "planned", Log.RUN_ID, runId, "model_version", mv, "label_rows", read.total(),
        "used", rows.size(), "quarantined", read.rejects().size(), "parts", partCount, "snapshot_ids", snapshotIds);
    return new Planned(runId, mv, lake.bucket(), new S3Ref(lake.bucket(), planKey), new S3Ref(lake.bucket(), itemsKey),
        partCount, request.partConcurrency(), read.total(), read.rejects().size(), snapshotIds);
  }

  private byte[] readLabels(LabelSource source) {
    try {
      return context.s3().getObjectAsBytes(b -> b.bucket(source.bucket()).key(source.key())).asByteArray();
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw new SourceObjectMissing("labels " + source.uri() + ": no such object; upload it first"
          + " (./featurepipe train-set --labels <local file> uploads one)", e);
    }
  }

  /** A group as planned: the Silver table at its pinned snapshot. */
  private record Resolved(String group, String table, long snapshotId, String snapshotRunId,
      String snapshotConfigSha256, String entityColumn, Type entityType, String keyColumn,
      List<Types.NestedField> features) {
    GroupInput input() {
      return new GroupInput(group, table, snapshotId, snapshotRunId, snapshotConfigSha256, entityColumn, keyColumn,
          features.stream().map(Types.NestedField::name).toList());
    }
  }

  private Resolved resolve(Catalog catalog, String group, Long pinned, String keyColumn) {
    TableIdentifier id = TableIdentifier.of(Namespace.of(context.catalogDatabase()), group);
    if (!catalog.tableExists(id)) {
      List<String> tables = new ArrayList<>();
      try {
        catalog.listTables(Namespace.of(context.catalogDatabase())).forEach(t -> tables.add(t.name()));
      } catch (RuntimeException e) {
        // No namespace yet: no table at all; the message says so with an empty list.
      }
      tables.removeIf(t -> t.endsWith("_tiles"));
      tables.sort(String::compareTo);
      throw new InvalidInput("groups: no Silver table " + id + " (run the daily pipeline for it first); feature"
          + " tables: " + tables);
    }
    Table table = catalog.loadTable(id);
    Snapshot snapshot;
    if (pinned != null) {
      snapshot = table.snapshot(pinned);
      if (snapshot == null) {
        List<Long> known = new ArrayList<>();
        table.snapshots().forEach(s -> known.add(s.snapshotId()));
        throw new InvalidInput("snapshotIds." + group + ": table " + id + " has no snapshot " + pinned
            + " (expired?); it has " + known);
      }
    } else {
      snapshot = table.currentSnapshot();
      if (snapshot == null) {
        throw new InvalidInput("groups: Silver table " + id + " has no commit yet; run the daily pipeline first");
      }
    }
    Schema schema = table.schemas().get(snapshot.schemaId());
    String entity = table.properties().getOrDefault(ENTITY_PROPERTY, schema.columns().get(0).name());
    Types.NestedField entityField = schema.findField(entity);
    if (entityField == null || schema.findField(DT) == null) {
      throw new InvalidInput("groups: " + id + " is not a feature table (entity column " + entity + " and "
          + DT + " expected): " + schema.asStruct());
    }
    Type entityType = entityField.type();
    if (entityType.typeId() != Type.TypeID.STRING && entityType.typeId() != Type.TypeID.LONG
        && entityType.typeId() != Type.TypeID.INTEGER) {
      throw new InvalidInput("groups: " + id + " has entity column " + entity + " of type " + entityType
          + "; training sets join string, int or long keys");
    }
    List<Types.NestedField> features = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      if (!f.name().equals(entity) && !f.name().equals(AS_OF) && !f.name().equals(DT)) {
        features.add(f);
      }
    }
    Map<String, String> summary = snapshot.summary() == null ? Map.of() : snapshot.summary();
    return new Resolved(group, id.toString(), snapshot.snapshotId(), summary.get(SilverCommitter.RUN_ID),
        summary.get(SilverCommitter.CONFIG_SHA256), entity, entityType,
        keyColumn != null ? keyColumn : entity, features);
  }

  /**
   * Keys, label time, label, {@value #FEATURE_DATE}, then each group's features as
   * {@code <group>__<feature>}, in request order; ids assigned fresh, as Iceberg would.
   */
  private static Schema outputSchema(List<LabelReader.KeyColumn> keys, LabelSource source, Type labelType,
      List<Resolved> groups) {
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 0;
    for (LabelReader.KeyColumn k : keys) {
      fields.add(Types.NestedField.required(++id, k.name(), k.type(), "entity key from the labels"));
    }
    fields.add(Types.NestedField.required(++id, source.timeColumn(), Types.TimestampType.withZone(), "label time"));
    fields.add(Types.NestedField.optional(++id, source.labelColumn(), labelType, "label"));
    fields.add(Types.NestedField.required(++id, FEATURE_DATE, Types.DateType.get(),
        "the Silver dt the features are from: the latest day complete at the label time"));
    for (Resolved g : groups) {
      for (Types.NestedField f : g.features()) {
        fields.add(Types.NestedField.optional(++id, g.group() + GROUP_SEPARATOR + f.name(), f.type(), f.doc()));
      }
    }
    Set<String> names = new HashSet<>();
    List<String> clashes = new ArrayList<>();
    for (Types.NestedField f : fields) {
      if (!names.add(f.name())) {
        clashes.add(f.name());
      }
    }
    if (!clashes.isEmpty()) {
      throw new InvalidInput("labels: column names clash in the training set: " + clashes
          + "; the key, time and label columns must differ from each other and from " + FEATURE_DATE);
    }
    // Ids the way Iceberg assigns them to a new table: top-level fields 1..n in order, then nested
    // fields (a vector's element, a top-k struct's fields) from n+1. The groups' own nested ids would
    // clash with each other, so every nested type is renumbered.
    AtomicInteger nested = new AtomicInteger(fields.size());
    List<Types.NestedField> fresh = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      Types.NestedField f = fields.get(i);
      Type type = f.type().isPrimitiveType() ? f.type() : TypeUtil.assignIds(f.type(), old -> nested.incrementAndGet());
      fresh.add(Types.NestedField.of(i + 1, f.isOptional(), f.name(), type, f.doc()));
    }
    return new Schema(fresh);
  }

  private static Schema labelSchema(Schema output, List<LabelReader.KeyColumn> keys, LabelSource source) {
    List<Types.NestedField> fields = new ArrayList<>();
    keys.forEach(k -> fields.add(output.findField(k.name())));
    fields.add(output.findField(source.timeColumn()));
    fields.add(output.findField(source.labelColumn()));
    fields.add(output.findField(FEATURE_DATE));
    return new Schema(fields);
  }

  /** The total order of a training set's rows ({@link #ROW_ORDER}); rows equal under it are equal in every column. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Comparator<LabelReader.Row> rowOrder(int keyCount) {
    // One comparator, not a Comparator.comparing chain: the sort of the labels was a visible share of
    // the plan's time with a lambda per field per comparison.
    return (a, b) -> {
      int c = a.time().compareTo(b.time());
      for (int k = 0; c == 0 && k < keyCount; k++) {
        c = ((Comparable) a.keys()[k]).compareTo(b.keys()[k]);
      }
      if (c != 0 || a.label() == b.label()) {
        return c;
      }
      if (a.label() == null || b.label() == null) {
        return a.label() == null ? -1 : 1;
      }
      return ((Comparable) a.label()).compareTo(b.label());
    };
  }

  // ------------------------------------------------------------------------------------------ parts

  public PartResult buildPart(PartRequest request) {
    TrainingPlan plan = lake.getJson(GoldLayout.plan(request.runId()), TrainingPlan.class);
    if (request.part() < 0 || request.part() >= plan.parts().size()) {
      throw new IllegalStateException("[BUG] part " + request.part() + " of run " + request.runId() + " which has "
          + plan.parts().size() + " parts");
    }
    TrainingPlan.Part part = plan.parts().get(request.part());
    Schema schema = SchemaParser.fromJson(plan.schema());
    int labelFields = schema.columns().indexOf(schema.findField(FEATURE_DATE)) + 1;
    Schema labelSchema = new Schema(schema.columns().subList(0, labelFields));
    List<Record> labels = ParquetFiles.read(lake.get(part.labelsKey()), labelSchema);
    int featureDateAt = labelFields - 1;

    List<Record> out = new ArrayList<>(labels.size());
    GenericRecord template = GenericRecord.create(schema);
    for (Record l : labels) {
      GenericRecord row = template.copy();
      for (int i = 0; i < labelFields; i++) {
        row.set(i, l.get(i));
      }
      out.add(row);
    }
    SortedMap<String, Long> matched = new TreeMap<>();
    int column = labelFields;
    Catalog catalog = context.catalog().get();
    for (GroupInput g : plan.groups()) {
      int keyAt = labelSchema.columns().indexOf(labelSchema.findField(g.keyColumn()));
      long found = part.rows() == 0 ? 0
          : joinGroup(catalog, g, part, labels, keyAt, featureDateAt, out, column);
      matched.put(g.group(), found);
      column += g.features().size();
    }

    byte[] bytes = ParquetFiles.write(schema, out);
    String sha = Hashing.sha256Hex(bytes);
    FileEntry file = lake.put(GoldLayout.partFile(plan.modelVersion(), plan.runId(), part.part(), sha), bytes,
        out.size(), PARQUET);
    PartResult result = new PartResult(part.part(), file, out.size(), matched);
    lake.putJson(GoldLayout.partResult(plan.runId(), part.part()), result);
    Log.info("BuildTrainingPart", "built", Log.RUN_ID, plan.runId(), "part", part.part(), "rows", out.size(),
        "matched", matched, "key", file.key(), "bytes", file.bytes());
    return result;
  }

  /** Marks an entity-day a label asks for whose Silver row has not been seen (yet). */
  private static final Object[] NOT_FOUND = new Object[0];

  /**
   * Fills {@code g}'s columns (from {@code column}) of the rows whose entity has a Silver row at their
   * feature date, reading only the part's dates at the pinned snapshot; returns how many matched.
   */
  private long joinGroup(Catalog catalog, GroupInput g, TrainingPlan.Part part, List<Record> labels, int keyAt,
      int featureDateAt, List<Record> out, int column) {
    // One lookup map per feature day, entity -> feature values: only lookups go through these hash
    // maps; the output order is the labels' order.
    long firstDay = LocalDate.parse(part.firstDate()).toEpochDay();
    int days = (int) (LocalDate.parse(part.lastDate()).toEpochDay() - firstDay) + 1;
    List<Map<Object, Object[]>> wanted = new ArrayList<>(days);
    for (int d = 0; d < days; d++) {
      wanted.add(new HashMap<>());
    }
    for (Record l : labels) {
      wanted.get((int) (((LocalDate) l.get(featureDateAt)).toEpochDay() - firstDay)).put(l.get(keyAt), NOT_FOUND);
    }
    Table table = catalog.loadTable(TableIdentifier.parse(g.table()));
    if (table.snapshot(g.snapshotId()) == null) {
      throw new InvalidInput("snapshotIds." + g.group() + ": table " + g.table() + " no longer has snapshot "
          + g.snapshotId() + " (expired while the training set was built?)");
    }
    List<String> columns = new ArrayList<>();
    columns.add(g.entityColumn());
    columns.add(DT);
    columns.addAll(g.features());
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table)
        .useSnapshot(g.snapshotId())
        .where(Expressions.and(Expressions.greaterThanOrEqual(DT, part.firstDate()),
            Expressions.lessThanOrEqual(DT, part.lastDate())))
        .select(columns.toArray(String[]::new))
        .build()) {
      int[] at = null;
      for (Record r : rows) {
        if (at == null) {
          at = new int[columns.size()];
          for (int c = 0; c < at.length; c++) {
            at[c] = r.struct().fields().indexOf(r.struct().field(columns.get(c)));
          }
        }
        long day = ((LocalDate) r.get(at[1])).toEpochDay() - firstDay;
        if (day < 0 || day >= days) {
          continue;
        }
        Map<Object, Object[]> ofDay = wanted.get((int) day);
        Object entity = r.get(at[0]);
        Object[] seen = ofDay.get(entity);
        if (seen == null) {
          continue;
        }
        if (seen != NOT_FOUND) {
          throw new IllegalStateException("[BUG] " + g.table() + "@" + g.snapshotId() + " has two rows for "
              + g.entityColumn() + " at dt=" + LocalDate.ofEpochDay(firstDay + day));
        }
        Object[] values = new Object[g.features().size()];
        for (int f = 0; f < values.length; f++) {
          values[f] = r.get(at[f + 2]);
        }
        ofDay.put(entity, values);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + g.table() + " at snapshot " + g.snapshotId(), e);
    }
    long found = 0;
    for (int i = 0; i < labels.size(); i++) {
      Record l = labels.get(i);
      Object[] values = wanted.get((int) (((LocalDate) l.get(featureDateAt)).toEpochDay() - firstDay))
          .get(l.get(keyAt));
      if (values != NOT_FOUND) {
        found++;
        Record row = out.get(i);
        for (int f = 0; f < values.length; f++) {
          row.set(column + f, values[f]);
        }
      }
    }
    return found;
  }

  // ------------------------------------------------------------------------------------------ commit

  public Committed commit(CommitRequest request) {
    TrainingPlan plan = lake.getJson(GoldLayout.plan(request.runId()), TrainingPlan.class);
    List<FileEntry> files = new ArrayList<>();
    SortedMap<String, Long> matched = new TreeMap<>();
    long rows = 0;
    for (TrainingPlan.Part part : plan.parts()) {
      PartResult r = lake.getJson(GoldLayout.partResult(plan.runId(), part.part()), PartResult.class);
      if (r.rows() != part.rows()) {
        throw new IllegalStateException("[BUG] part " + part.part() + " wrote " + r.rows() + " rows, planned "
            + part.rows());
      }
      files.add(r.file());
      rows += r.rows();
      r.matched().forEach((g, n) -> matched.merge(g, n, Long::sum));
    }
    Schema schema = SchemaParser.fromJson(plan.schema());
    String schemaJson = SchemaParser.toJson(schema);
    TrainingManifest manifest = new TrainingManifest("gold", plan.modelVersion(), plan.runId(), files, rows,
        schemaJson, Hashing.sha256Hex(schemaJson.getBytes(StandardCharsets.UTF_8)), ROW_ORDER, POINT_IN_TIME,
        plan.groups(), plan.labels(), plan.trainingConfigSha256(), plan.pipelineConfigSha256(), plan.codeVersion());
    String manifestKey = GoldLayout.manifest(plan.modelVersion(), plan.runId());
    lake.putJson(manifestKey, manifest);
    // Files of earlier attempts of this run (other content, other names) are orphans once the switch is on.
    Set<String> kept = new TreeSet<>(files.stream().map(FileEntry::key).toList());
    int removed = 0;
    for (String key : lake.list(GoldLayout.prefix(plan.modelVersion(), plan.runId()))) {
      if (key.endsWith(".parquet") && !kept.contains(key)) {
        lake.delete(key);
        removed++;
      }
    }
    MessageDigest combined = Hashing.sha256();
    files.forEach(f -> combined.update((f.sha256() + "\n").getBytes(StandardCharsets.UTF_8)));
    SortedMap<String, Long> snapshots = new TreeMap<>();
    plan.groups().forEach(g -> snapshots.put(g.group(), g.snapshotId()));
    Log.info("CommitTrainingSet", "committed", Log.RUN_ID, plan.runId(), "manifest", manifestKey, "rows", rows,
        "files", files.size(), "orphans_removed", removed);
    return new Committed(plan.runId(), plan.modelVersion(), new S3Ref(lake.bucket(), manifestKey), rows, files.size(),
        plan.labels().quarantined(), snapshots, matched, HexFormat.of().formatHex(combined.digest()));
  }
}
