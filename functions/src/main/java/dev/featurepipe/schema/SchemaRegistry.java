package dev.featurepipe.schema;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Source schema versions in the control table: item {@code pk = schema:<subject>}, {@code sk =
 * v<NNNNNN>}, one per version, never changed once written. The attributes are Glue Schema
 * Registry's model (schema name, version number, data format AVRO, compatibility BACKWARD, the
 * definition text), so a version can be registered there as is; and {@code origin} says where it
 * came from: {@code config} (a {@code schemas/<subject>.v<N>.avsc} file a config used) or {@code
 * observed} (registered by a run that saw a new optional column), with the run, the date and the
 * change.
 */
public final class SchemaRegistry {

  /**
   * One stored version. {@code registeredFor}: the run date it was first used for; {@code
   * sourceColumns}: every column the source had then, registered or not, sorted: a column that
   * exists at the source but was left out of the schema on purpose (a subset of a table's columns)
   * is not new, and never registered by itself.
   */
  public record Version(SourceSchema schema, String origin, String sourceId, String runId, LocalDate registeredFor,
      String change, List<String> sourceColumns) {

    public Version {
      sourceColumns = List.copyOf(new java.util.TreeSet<>(sourceColumns));
    }
  }

  private final DynamoDbClient dynamo;
  private final String table;

  public SchemaRegistry(DynamoDbClient dynamo, String table) {
    this.dynamo = dynamo;
    this.table = table;
  }

  /** Every subject with a version, sorted. */
  public List<String> subjects() {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      var page = dynamo.scan(b -> b.tableName(table).consistentRead(true)
          .filterExpression("begins_with(pk, :p)")
          .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(pk(""))))
          .projectionExpression("schema_name")
          .exclusiveStartKey(from));
      page.items().forEach(item -> out.add(item.get("schema_name").s()));
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    return List.copyOf(out);
  }

  /** Every version of {@code subject}, oldest first (a strongly consistent query). */
  public List<Version> versions(String subject) {
    List<Version> out = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page = dynamo.query(b -> b.tableName(table).consistentRead(true)
          .keyConditionExpression("pk = :pk")
          .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk(subject))))
          .exclusiveStartKey(from));
      page.items().forEach(item -> out.add(version(item)));
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    return out;
  }

  /**
   * Stores {@code v} unless its version number is taken; returns the version stored under that
   * number afterwards (this one, or the one another writer got in first).
   */
  public Version register(Version v) {
    SourceSchema s = v.schema();
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("pk", AttributeValue.fromS(pk(s.subject())));
    item.put("sk", AttributeValue.fromS(sk(s.version())));
    item.put("schema_name", AttributeValue.fromS(s.subject()));
    item.put("version_number", AttributeValue.fromN(Integer.toString(s.version())));
    item.put("data_format", AttributeValue.fromS("AVRO"));
    item.put("compatibility", AttributeValue.fromS("BACKWARD"));
    item.put("schema_definition", AttributeValue.fromS(s.definition()));
    item.put("fingerprint_sha256", AttributeValue.fromS(s.fingerprint()));
    item.put("origin", AttributeValue.fromS(v.origin()));
    item.put("source_id", AttributeValue.fromS(v.sourceId()));
    item.put("run_id", AttributeValue.fromS(v.runId()));
    item.put("registered_for", AttributeValue.fromS(v.registeredFor().toString()));
    item.put("source_columns", AttributeValue.fromL(
        v.sourceColumns().stream().map(AttributeValue::fromS).toList()));
    if (v.change() != null) {
      item.put("change", AttributeValue.fromS(v.change()));
    }
    try {
      dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
      return v;
    } catch (ConditionalCheckFailedException e) {
      return get(s.subject(), s.version()).orElseThrow(() -> new IllegalStateException(
          "schema " + s.ref() + " exists and does not: the control table is inconsistent", e));
    }
  }

  public Optional<Version> get(String subject, int version) {
    Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
        .key(Map.of("pk", AttributeValue.fromS(pk(subject)), "sk", AttributeValue.fromS(sk(version))))).item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(version(item));
  }

  private static Version version(Map<String, AttributeValue> item) {
    String subject = item.get("schema_name").s();
    int n = Integer.parseInt(item.get("version_number").n());
    String ref = subject + ".v" + n;
    SourceSchema schema = SourceSchema.parse("control table schema " + ref, ref,
        item.get("schema_definition").s().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new Version(schema, item.get("origin").s(), item.get("source_id").s(), item.get("run_id").s(),
        LocalDate.parse(item.get("registered_for").s()), item.containsKey("change") ? item.get("change").s() : null,
        item.get("source_columns").l().stream().map(AttributeValue::s).toList());
  }

  private static String pk(String subject) {
    return "schema:" + subject;
  }

  private static String sk(int version) {
    return String.format(java.util.Locale.ROOT, "v%06d", version);
  }
}
