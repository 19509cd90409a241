package dev.featurepipe.tests.connectors.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.featurepipe.aws.AwsClients;
import dev.featurepipe.aws.LocalSecrets;
import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.extract.CheckpointStore;
import dev.featurepipe.extract.ConnectorContext;
import dev.featurepipe.extract.ExtractItem;
import dev.featurepipe.extract.Rejection;
import dev.featurepipe.extract.SourceConnector;
import dev.featurepipe.extract.rest.RestConnector;
import dev.featurepipe.extract.rest.RestSourceOptions;
import dev.featurepipe.infra.stack.EmbeddedStack;
import dev.featurepipe.infra.stack.StackOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The REST connector against a real local HTTP server, with checkpoints in dynalite and spool in the embedded S3. */
class RestConnectorTest {

  static final LocalDate DT = LocalDate.of(2019, 10, 1);
  static final int RECORDS = 5_000;
  static final int PAGE_SIZE = 250;
  static final String TOKEN = "tok-3f9a";
  static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir static Path tempDir;
  static EmbeddedStack stack;
  static AwsClients clients;
  static CheckpointStore checkpoints;
  static ConnectorContext ctx;
  static List<Event> events;
  static ApiServer server;

  /** One served record as typed values: the oracle rows are compared against. */
  record Event(long id, String user, BigDecimal amount, double score, boolean active, Instant ts) {

    /** Offsets vary with the id so the connector must normalise to UTC rather than pass text through. */
    JsonNode json() {
      ZoneOffset offset = ZoneOffset.ofHours((int) (id % 11) - 5);
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("id", id);
      n.putObject("user").put("name", user);
      n.put("amount", amount.toPlainString());
      n.put("score", score);
      n.put("active", active);
      n.put("ts", ts.atOffset(offset).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      return n;
    }

    static Event of(Record row) {
      return new Event((Long) row.getField("id"), (String) row.getField("user"), (BigDecimal) row.getField("amount"),
          (Double) row.getField("score"), (Boolean) row.getField("active"), utc((OffsetDateTime) row.getField("ts")));
    }

    private static Instant utc(OffsetDateTime ts) {
      assertThat(ts.getOffset()).isEqualTo(ZoneOffset.UTC);
      return ts.toInstant();
    }
  }

  @BeforeAll
  static void start() {
    stack = EmbeddedStack.start(StackOptions.forTests(tempDir));
    clients = new AwsClients(stack.awsSettings());
    checkpoints = new CheckpointStore(clients.dynamoDb(), stack.options().controlTable());
    ctx = new ConnectorContext(clients.s3(), stack.options().sourceBucket(), stack.options().lakeBucket(), checkpoints,
        new LocalSecrets(Map.of("API_TOKEN", TOKEN)));
    Random random = new Random(20191001L);
    events = new ArrayList<>();
    Instant t0 = Instant.parse("2019-10-01T00:00:00Z");
    for (int i = 0; i < RECORDS; i++) {
      events.add(new Event(1_000_000L + i, "u" + random.nextInt(10_000),
          BigDecimal.valueOf(random.nextLong(-100_000, 100_000), 2), random.nextInt(1_000_000) / 1024.0,
          random.nextBoolean(), t0.plusMillis(random.nextLong(86_400_000L))));
    }
    server = new ApiServer(events.stream().map(Event::json).toList(), PAGE_SIZE);
  }

  @AfterAll
  static void stop() {
    server.close();
    clients.close();
    stack.close();
  }

  /** What a read sent to the sink. */
  static final class Collected implements SourceConnector.RowSink {
    final List<Record> rows = new ArrayList<>();
    final List<Rejected> rejected = new ArrayList<>();

    @Override
    public void row(Record row) {
      rows.add(row);
    }

    @Override
    public void reject(long position, Rejection rejection, String raw) {
      rejected.add(new Rejected(position, rejection, raw));
    }

    List<Event> events() {
      return rows.stream().map(Event::of).toList();
    }
  }

  record Rejected(long position, Rejection rejection, String raw) {}

  /** Records every requested pause and returns at once. */
  static final class RecordingSleeper implements RestConnector.Sleeper {
    final List<Duration> sleeps = new ArrayList<>();

    @Override
    public void sleep(Duration duration) {
      sleeps.add(duration);
    }
  }

  static String yaml(String sourceId, String style, String extra) {
    return """
        base_url: %s
        path: /%s/{dt}/events
        records: /data/items
        key: id
        fields:
          - {name: id, type: long, required: true}
          - {name: user, pointer: /user/name, type: string, required: true}
          - {name: amount, type: "decimal(9,2)"}
          - {name: score, type: double}
          - {name: active, type: boolean}
          - {name: ts, type: timestamptz, required: true}
        """.formatted(server.baseUrl(), style) + extra;
  }

  static final Map<String, String> PAGINATION = new TreeMap<>(Map.of(
      "cursor", "pagination: {type: cursor, cursor_pointer: /meta/next, cursor_param: cursor}\n",
      "page", "pagination: {type: page, page_param: page}\n",
      "offset", "pagination: {type: offset, offset_param: offset, limit_param: limit, limit: 500}\n",
      "link", "pagination: {type: link}\n"));

  static RestConnector connector(String sourceId, String yaml, RestConnector.Sleeper sleeper) {
    return new RestConnector(RestSourceOptions.parse(sourceId, tree(yaml)), ctx,
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), sleeper, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static JsonNode tree(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Collected readAll(RestConnector connector) {
    Collected out = new Collected();
    for (ExtractItem item : connector.plan(DT)) {
      connector.read(item, DT, out);
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cursor", "page", "offset", "link"})
  void everyPaginationStyleReadsTheServedDataSetExactlyOnce(String style) {
    String id = "api_all_" + style;
    RecordingSleeper sleeper = new RecordingSleeper();
    RestConnector connector = connector(id, yaml(id, style, PAGINATION.get(style)), sleeper);

    Collected out = readAll(connector);

    assertThat(out.rejected).isEmpty();
    assertThat(out.events()).containsExactlyInAnyOrderElementsOf(events);
    assertThat(out.rows.stream().sorted(connector.bronzeOrder()).map(r -> (Long) r.getField("id")).toList())
        .isEqualTo(events.stream().map(Event::id).sorted().toList());
    assertThat(sleeper.sleeps).isEmpty();
    assertThat(checkpoints.get(id, "api:dt=" + DT + ":api-" + DT)).isEmpty();
    assertThat(spooled(id)).isEmpty();
  }

  @Test
  void planIsOneChunkPerDateUnlessPartitionsAreGiven() {
    RestConnector daily = connector("api_plan", yaml("api_plan", "page", PAGINATION.get("page")), sleeper());
    RestConnector parted = connector("api_plan_parts", yaml("api_plan_parts", "page", PAGINATION.get("page"))
        .replace("path: /page/{dt}/events", "path: /page/{dt}/events/{partition}")
        + "partitions: [us, eu, apac]\n", sleeper());

    assertThat(daily.plan(DT)).extracting(ExtractItem::chunkId).containsExactly("api-2019-10-01");
    assertThat(parted.plan(DT)).extracting(ExtractItem::chunkId).containsExactly("api-apac", "api-eu", "api-us");
    assertThat(parted.plan(DT).get(0).range().get("partition").asText()).isEqualTo("apac");
  }

  @Test
  void eachPartitionIsReadFromItsOwnPathAsItsOwnChunk() {
    String id = "api_parts";
    RestConnector connector = connector(id, yaml(id, "cursor", PAGINATION.get("cursor"))
        .replace("path: /cursor/{dt}/events", "path: /cursor/{dt}/events/{partition}") + "partitions: [us, eu]\n",
        sleeper());
    int servedBefore = server.served.size();

    Collected eu = new Collected();
    Collected us = new Collected();
    connector.read(connector.plan(DT).get(0), DT, eu);
    connector.read(connector.plan(DT).get(1), DT, us);

    assertThat(eu.events()).containsExactlyInAnyOrderElementsOf(events);
    assertThat(us.events()).containsExactlyInAnyOrderElementsOf(events);
    assertThat(server.served.subList(servedBefore, server.served.size())).extracting(ApiServer.Served::path)
        .containsOnly("/cursor/2019-10-01/events/eu", "/cursor/2019-10-01/events/us");
  }

  @Test
  void tooManyRequestsWaitsForRetryAfterSecondsOrDateThenSucceeds() {
    String id = "api_429";
    server.fault(3 * PAGE_SIZE, new ApiServer.Status(429, "4"),
        new ApiServer.Status(429, DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(7).atOffset(ZoneOffset.UTC))),
        new ApiServer.Status(429, "3600"));
    RecordingSleeper sleeper = new RecordingSleeper();

    Collected out = readAll(connector(id, yaml(id, "page", PAGINATION.get("page")) + "max_backoff_seconds: 20\n", sleeper));

    assertThat(out.events()).containsExactlyInAnyOrderElementsOf(events);
    // The third Retry-After asks for an hour: it is capped at max_backoff_seconds.
    assertThat(sleeper.sleeps).containsExactly(Duration.ofSeconds(4), Duration.ofSeconds(7), Duration.ofSeconds(20));
  }

  @Test
  void serverErrorsAreRetriedThenSucceed() {
    String id = "api_500";
    server.fault(10 * PAGE_SIZE, new ApiServer.Status(500, null), new ApiServer.Status(502, null),
        new ApiServer.Status(503, null));
    RecordingSleeper sleeper = new RecordingSleeper();

    Collected out = readAll(connector(id, yaml(id, "offset", PAGINATION.get("offset")), sleeper));

    assertThat(out.events()).containsExactlyInAnyOrderElementsOf(events);
    assertThat(sleeper.sleeps).hasSize(3);
  }

  @Test
  void aTimedOutPageIsRetriedThenSucceeds() {
    String id = "api_timeout";
    server.fault(0, new ApiServer.Slow(1_500));
    RecordingSleeper sleeper = new RecordingSleeper();

    Collected out = readAll(connector(id, yaml(id, "cursor", PAGINATION.get("cursor")) + "timeout_seconds: 1\n", sleeper));

    assertThat(out.events()).containsExactlyInAnyOrderElementsOf(events);
    assertThat(sleeper.sleeps).hasSize(1);
  }

  @Test
  void persistentUnavailabilityFailsAfterMaxRetriesWithCappedJitteredBackoff() {
    String id = "api_down";
    String yaml = yaml(id, "page", PAGINATION.get("page")) + "max_retries: 5\nmax_backoff_seconds: 3\n";
    RecordingSleeper first = new RecordingSleeper();
    RecordingSleeper second = new RecordingSleeper();
    server.alwaysStatus = 503;
    try {
      assertThatThrownBy(() -> readAll(connector(id, yaml, first)))
          .isInstanceOf(SourceUnavailable.class)
          .hasMessage("source api_down: GET " + server.baseUrl() + "/page/2019-10-01/events (page 0) failed after 5 "
              + "retries, last status HTTP 503");
      assertThatThrownBy(() -> readAll(connector(id, yaml, second))).isInstanceOf(SourceUnavailable.class);
    } finally {
      server.alwaysStatus = 0;
    }

    List<Duration> ceilings = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3),
        Duration.ofSeconds(3), Duration.ofSeconds(3));
    assertThat(first.sleeps).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(first.sleeps.get(i)).isBetween(Duration.ZERO, ceilings.get(i));
    }
    // Full jitter: the pauses are not the ceilings themselves, nor all one value.
    assertThat(first.sleeps).isNotEqualTo(ceilings);
    assertThat(first.sleeps).doesNotHaveDuplicates();
    // Seeded from source, chunk and attempt: a rerun asks for the same pauses.
    assertThat(second.sleeps).isEqualTo(first.sleeps);
  }

  @Test
  void unauthorizedFailsAtOnceWithoutRetrying() {
    String id = "api_401";
    RecordingSleeper sleeper = new RecordingSleeper();
    server.requiredHeader = "Authorization";
    server.requiredValue = "Bearer " + TOKEN;
    try {
      assertThatThrownBy(() -> readAll(connector(id, yaml(id, "page", PAGINATION.get("page")), sleeper)))
          .isInstanceOf(SourceUnavailable.class)
          .hasMessage("source api_401: auth failed, GET " + server.baseUrl() + "/page/2019-10-01/events (page 0) "
              + "returned HTTP 401; check auth (type none)")
          .message().doesNotContain(TOKEN);
    } finally {
      server.requiredHeader = null;
    }
    assertThat(sleeper.sleeps).isEmpty();
  }

  @Test
  void bearerTokenIsSentAsAnAuthorizationHeader() {
    String id = "api_bearer";
    server.requiredHeader = "Authorization";
    server.requiredValue = "Bearer " + TOKEN;
    try {
      Collected out = readAll(connector(id, yaml(id, "link", PAGINATION.get("link"))
          + "auth: {type: bearer, secret: 'env:API_TOKEN'}\n", sleeper()));
      assertThat(out.events()).containsExactlyInAnyOrderElementsOf(events);
    } finally {
      server.requiredHeader = null;
    }
  }

  @Test
  void apiKeyIsSentInItsConfiguredHeader() {
    String id = "api_key_hdr";
    server.requiredHeader = "X-Api-Key";
    server.requiredValue = TOKEN;
    try {
      Collected out = readAll(connector(id, yaml(id, "cursor", PAGINATION.get("cursor"))
          + "auth: {type: api_key, secret: 'env:API_TOKEN', header: X-Api-Key}\n", sleeper()));
      assertThat(out.events()).containsExactlyInAnyOrderElementsOf(events);
    } finally {
      server.requiredHeader = null;
    }
  }

  @Test
  void aCrashMidExtractResumesFromTheCheckpointAndYieldsEveryRecordOnce() {
    String id = "api_crash";
    int page7 = 6 * PAGE_SIZE;
    // Failure injection: page 7's connection is reset (a 500 follows, in case the JDK client retries
    // the reset itself), and the sleeper throws, as if the Lambda died while waiting to retry.
    server.fault(page7, new ApiServer.Reset(), new ApiServer.Status(500, null));
    int servedBefore = server.served.size();
    String yaml = yaml(id, "page", PAGINATION.get("page"));
    Collected first = new Collected();
    RestConnector crashing = connector(id, yaml, d -> {
      throw new IllegalStateException("injected crash");
    });
    ExtractItem item = crashing.plan(DT).get(0);

    assertThatThrownBy(() -> crashing.read(item, DT, first)).hasMessage("injected crash");
    assertThat(first.rows).hasSize(page7);
    assertThat(checkpoints.get(id, "api:dt=" + DT + ":api-" + DT)).isPresent();
    assertThat(spooled(id)).hasSize(6);

    Collected second = new Collected();
    connector(id, yaml, sleeper()).read(item, DT, second);

    // The writer keeps only the read that finished: it alone must hold every record exactly once.
    assertThat(second.events()).containsExactlyInAnyOrderElementsOf(events);
    // Pages before the crash came from the spool, not from the API again.
    List<Integer> starts = server.servedStarts().subList(servedBefore, server.served.size()).stream()
        .filter(s -> s < RECORDS).toList();
    assertThat(starts).doesNotHaveDuplicates();
    assertThat(starts).hasSize((RECORDS + PAGE_SIZE - 1) / PAGE_SIZE);
    assertThat(checkpoints.get(id, "api:dt=" + DT + ":api-" + DT)).isEmpty();
    assertThat(spooled(id)).isEmpty();
  }

  @Test
  void recordsWithMissingOrMistypedFieldsAreRejectedWithReasons() {
    List<JsonNode> data = new ArrayList<>();
    data.add(tree("{id: 1, user: {name: a}, ts: '2019-10-01T00:00:00Z'}"));
    data.add(tree("{user: {name: b}, ts: '2019-10-01T00:00:00Z'}"));
    data.add(tree("{id: '3', user: {name: c}, ts: '2019-10-01T00:00:00Z'}"));
    data.add(tree("{id: 4, user: {name: d}, ts: 1569888000}"));
    data.add(tree("{id: 5, user: {name: e}, ts: '2019-10-01T00:00:00Z', amount: '1.234'}"));
    data.add(tree("{id: 6, user: {name: f}, ts: '2019-10-01T00:00:00+02:00', amount: 12.5, active: true}"));
    try (ApiServer small = new ApiServer(data, 2)) {
      String yaml = yaml("api_bad", "page", PAGINATION.get("page")).replace(server.baseUrl().toString(),
          small.baseUrl().toString());
      Collected out = readAll(connector("api_bad", yaml, sleeper()));

      assertThat(out.rows).extracting(r -> r.getField("id")).containsExactly(1L, 6L);
      assertThat(out.rows.get(1).getField("amount")).isEqualTo(new BigDecimal("12.50"));
      assertThat(out.rows.get(1).getField("ts")).isEqualTo(OffsetDateTime.parse("2019-09-30T22:00:00Z"));
      assertThat(out.rejected).extracting(Rejected::position, Rejected::rejection).containsExactly(
          org.assertj.core.groups.Tuple.tuple(1L, Rejection.of("missing_field", "id: required at /id")),
          org.assertj.core.groups.Tuple.tuple(2L, Rejection.of("wrong_type",
              "id: must be long, got a JSON string that does not convert")),
          org.assertj.core.groups.Tuple.tuple(3L, Rejection.of("wrong_type",
              "ts: must be timestamptz, got a JSON number that does not convert")),
          org.assertj.core.groups.Tuple.tuple(4L, Rejection.of("wrong_type",
              "amount: must be decimal(9,2), got a JSON string that does not convert")));
      assertThat(tree(out.rejected.get(0).raw())).isEqualTo(data.get(1));
    }
  }

  /**
   * Injected API changes: the user name moved to another place and the amount became an object in
   * every record. That is a changed API, not 12 bad records: the chunk fails with the fields'
   * diff instead of quarantining everything, and keeps no checkpoint, so a rerun reads afresh.
   */
  @Test
  void aFieldMissingOrUnconvertibleInEveryRecordFailsTheChunkAsASchemaChange() {
    List<JsonNode> data = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      data.add(tree("{id: " + i + ", username: u" + i + ", ts: '2019-10-01T00:00:00Z', amount: {value: 1.5, currency: EUR}, "
          + "score: " + (i == 3 ? "'high'" : "0.5") + "}"));
    }
    try (ApiServer changed = new ApiServer(data, 5)) {
      String yaml = yaml("api_changed", "page", PAGINATION.get("page")).replace(server.baseUrl().toString(),
          changed.baseUrl().toString());
      RestConnector connector = connector("api_changed", yaml, sleeper());
      ExtractItem item = connector.plan(DT).get(0);
      assertThatThrownBy(() -> connector.read(item, DT, new Collected()))
          .isInstanceOf(dev.featurepipe.errors.SchemaIncompatible.class)
          .hasMessageContaining("the 12 records of chunk")
          .hasMessageContaining("- user (string, required, at /user/name): absent from every record")
          .hasMessageContaining("~ amount (decimal(9,2), at /amount): none of its 12 values converts; they are a JSON object now")
          .hasMessageNotContaining("score") // one bad value among good ones is that record's problem
          .hasMessageNotContaining("active"); // optional and absent everywhere: logged, not failed
      assertThat(checkpoints.get("api_changed", "api:dt=" + DT + ":" + item.chunkId())).isEmpty();
    }
  }

  @Test
  void invalidOptionsAreAllReportedOneLineEach() {
    String yaml = """
        base_url: ftp://example.com
        path: events
        records: data
        key: score
        auth: {type: bearer, secret: hunter2}
        pagination: {type: scroll}
        fields:
          - {name: id, type: long, required: true}
          - {name: score, type: float}
        max_retries: 99
        colour: blue
        """;

    assertThatThrownBy(() -> RestSourceOptions.parse("api_x", tree(yaml)))
        .isInstanceOf(ConfigInvalid.class)
        .hasMessage(String.join("\n",
            "sources[api_x].options.colour: is not an option (known: base_url, path, query, auth, pagination, records, "
                + "fields, key, partitions, max_retries, max_backoff_seconds, timeout_seconds), got colour",
            "sources[api_x].options.base_url: must be an http(s) URL with a host and no query or fragment, got "
                + "ftp://example.com",
            "sources[api_x].options.path: must start with / and hold no query or fragment (use query), got events",
            "sources[api_x].options.auth.secret: must be a reference (env:, file:, secretsmanager:, ssm:...), not a "
                + "value, got a value of 7 characters",
            "sources[api_x].options.pagination.type: must be one of cursor, page, offset, link, got scroll",
            "sources[api_x].options.records: must be a JSON pointer (RFC 6901, e.g. /data/items), got data",
            "sources[api_x].options.fields[1].type: must be one of string, long, int, double, boolean, timestamptz, "
                + "decimal(p,s) (p 1-38, s <= p), got float",
            "sources[api_x].options.key: must name a required field, so every row has one, got score",
            "sources[api_x].options.max_retries: must be an integer from 0 to 20, got 99"));
  }

  @Test
  void createReadsOptionsFromTheSourceConfig() {
    SourceConfig source = new SourceConfig("api_cfg", "rest", null, null,
        tree(yaml("api_cfg", "page", PAGINATION.get("page"))));

    RestConnector connector = RestConnector.create(source, ctx);

    assertThat(connector.options().maxRetries()).isEqualTo(RestSourceOptions.MAX_RETRIES_DEFAULT);
    assertThat(connector.bronzeSchema().findField("ts").fieldId()).isEqualTo(6);
  }

  static RecordingSleeper sleeper() {
    return new RecordingSleeper();
  }

  static List<String> spooled(String sourceId) {
    return clients.s3().listObjectsV2Paginator(b -> b.bucket(stack.options().lakeBucket())
            .prefix(RestConnector.SPOOL_PREFIX + sourceId + "/"))
        .contents().stream().map(o -> o.key()).toList();
  }
}
