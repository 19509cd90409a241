package dev.featurepipe.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.config.ConfigLoader;
import dev.featurepipe.schema.SchemaFiles;
import dev.featurepipe.config.LoadedConfig;
import dev.featurepipe.infra.demo.CatalogApi;
import dev.featurepipe.infra.demo.CatalogGenerator;
import dev.featurepipe.infra.demo.ClickstreamGenerator;
import dev.featurepipe.infra.demo.DemoDatabase;
import dev.featurepipe.infra.demo.DemoEvent;
import dev.featurepipe.infra.demo.DemoSources;
import dev.featurepipe.infra.demo.UsersGenerator;
import dev.featurepipe.infra.sfn.ExecutionResult;
import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.PartitionManifest;
import dev.featurepipe.ops.Hashing;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.iceberg.data.Record;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./featurepipe demo}'s flow on free ports: the demo config ({@code config/demo/pipeline.yaml},
 * with only its ports and secret paths swapped), the users table in a real PostgreSQL, the catalog
 * behind the local REST API and the clickstream in S3, through the daily workflow. Bronze is read
 * back with DuckDB and compared with what the generators produced.
 */
class DemoSourcesTest {

  static final LocalDate DATE = LocalDate.of(2026, 11, 24);

  /** 1,000 users and 100 products: two API pages at the config's limit of 100. */
  static final int EVENTS = 20_000;

  static final String DEMO_CONFIG = "config/demo/pipeline.yaml";

  /** What one run left in Bronze: the partition manifests and every data file's SHA-256 as downloaded. */
  record Run(Map<String, PartitionManifest> manifests, Map<String, String> parquetSha256, Path downloads,
      Map<String, Record> userActivity, Map<String, Map<String, AttributeValue>> userItems,
      Map<String, AttributeValue> userMeta, List<String> vocabulary) {}

  @Test
  void usersAndProductsLandInBronzeAsGeneratedUserActivityJoinsTheCatalogAndARunFromScratchWritesIdenticalFiles(
      @TempDir Path tempDir)
      throws Exception {
    ClickstreamGenerator.Spec clicks = ClickstreamGenerator.Spec.demo(DATE, EVENTS);
    ClickstreamGenerator.Dataset clickstream = ClickstreamGenerator.generate(clicks, "clickstream/");
    UsersGenerator.Dataset users = UsersGenerator.generate(UsersGenerator.Spec.of(clicks));
    CatalogGenerator.Dataset catalog = CatalogGenerator.generate(CatalogGenerator.Spec.of(clicks));
    assertThat(catalog.records()).as("more than one page").hasSizeGreaterThan(100);

    Run first = runDemo(tempDir.resolve("first"), clicks, users, catalog);

    PartitionManifest usersManifest = first.manifests().get("users");
    assertThat(usersManifest.rows()).isEqualTo(users.valid().size());
    assertThat(usersManifest.rejectReasons())
        .isEqualTo(Map.of(UsersGenerator.BROKEN_REASON, (long) users.broken().size()));
    PartitionManifest productsManifest = first.manifests().get("products");
    assertThat(productsManifest.rows()).isEqualTo(catalog.products().size());
    assertThat(productsManifest.rejectReasons()).isEqualTo(catalog.brokenReasons().stream()
        .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting())));
    PartitionManifest clickManifest = first.manifests().get("clickstream");
    assertThat(clickManifest.rows()).isEqualTo(clickstream.validEvents().size());
    assertThat(clickManifest.quarantined()).isEqualTo(clickstream.lines().size() - clickstream.validEvents().size());

    Map<String, BigDecimal> bronzePrices = new TreeMap<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
      List<String> bronzeUsers = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT id, user_id, name, country, epoch_us(signed_up_at), plan, "
          + "lifetime_value FROM read_parquet(" + files(first, usersManifest) + ")")) {
        while (rs.next()) {
          bronzeUsers.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
              + rs.getLong(5) + "|" + rs.getString(6) + "|" + rs.getBigDecimal(7));
        }
      }
      assertThat(bronzeUsers).as("every valid row exactly once, values exact")
          .containsExactlyInAnyOrderElementsOf(users.valid().stream().map(u -> u.id() + "|" + u.userId() + "|"
              + u.name() + "|" + u.country() + "|" + ChronoUnit.MICROS.between(Instant.EPOCH, u.signedUpAt()) + "|"
              + u.plan() + "|" + u.lifetimeValue()).toList());

      List<String> bronzeProducts = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT product_id, title, category, brand, price, currency, in_stock, rating, "
          + "epoch_us(updated_at) FROM read_parquet(" + files(first, productsManifest) + ")")) {
        while (rs.next()) {
          double rating = rs.getDouble(8);
          Double ratingOrNull = rs.wasNull() ? null : rating;
          bronzeProducts.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4)
              + "|" + rs.getBigDecimal(5) + "|" + rs.getString(6) + "|" + rs.getBoolean(7) + "|" + ratingOrNull + "|"
              + rs.getLong(9));
          bronzePrices.put(rs.getString(1), rs.getBigDecimal(5));
        }
      }
      assertThat(bronzeProducts).as("every valid record exactly once, values exact")
          .containsExactlyInAnyOrderElementsOf(catalog.products().stream().map(p -> p.productId() + "|" + p.title()
              + "|" + p.category() + "|" + p.brand() + "|" + p.price() + "|" + p.currency() + "|" + p.inStock() + "|"
              + p.rating() + "|" + ChronoUnit.MICROS.between(Instant.EPOCH, p.updatedAt())).toList());
    }
    // The three sources describe the same world: every user and product the clickstream names is in
    // Bronze, and purchases pay the catalog's price.
    assertThat(users.valid().stream().map(UsersGenerator.User::userId).toList())
        .containsAll(clickstream.validEvents().stream().map(DemoEvent::userId).distinct().toList());
    assertThat(bronzePrices).containsOnlyKeys(catalog.products().stream().map(CatalogGenerator.Product::productId).toList());
    for (DemoEvent e : clickstream.validEvents()) {
      if (e.price() != null) {
        assertThat(bronzePrices).containsEntry(e.productId(), e.price());
      }
    }

    assertUserActivityMatchesDuckDb(first, catalog);

    // From scratch: new stack, new PostgreSQL, new API, on other ports, data generated again.
    Run second = runDemo(tempDir.resolve("second"), clicks, UsersGenerator.generate(UsersGenerator.Spec.of(clicks)),
        CatalogGenerator.generate(CatalogGenerator.Spec.of(clicks)));
    assertThat(second.parquetSha256()).isEqualTo(first.parquetSha256());
    assertThat(first.parquetSha256().keySet()).anyMatch(k -> k.startsWith(LakeLayout.bronzePrefix("users", DATE)))
        .anyMatch(k -> k.startsWith(LakeLayout.bronzePrefix("products", DATE)))
        .anyMatch(k -> k.startsWith("silver/user_activity/v_1/data/dt=" + DATE + "/"))
        .anyMatch(k -> k.startsWith("silver/user_activity/v_1_tiles/data/dt=" + DATE + "/"));
    assertThat(second.userItems()).isEqualTo(first.userItems());
  }

  @Test
  void theSourcesRefuseCallersWithoutTheSecretsAndStopWhenClosed(@TempDir Path tempDir) throws Exception {
    ClickstreamGenerator.Spec clicks = new ClickstreamGenerator.Spec(5L, DATE, 100, 1, 10, 20, 0);
    int postgresPort;
    int apiPort;
    try (DemoSources sources = DemoSources.start(tempDir, DemoSources.Ports.FREE,
        UsersGenerator.generate(UsersGenerator.Spec.of(clicks)), CatalogGenerator.generate(CatalogGenerator.Spec.of(clicks)))) {
      postgresPort = sources.database().port();
      apiPort = sources.api().port();
      HttpClient http = HttpClient.newHttpClient();
      URI products = URI.create(sources.api().baseUrl() + CatalogApi.PATH);
      assertThat(http.send(HttpRequest.newBuilder(products).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(401);
      assertThat(http.send(HttpRequest.newBuilder(products).header("Authorization", "Bearer not-the-token").build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
      String token = Files.readString(sources.apiTokenSecret()).strip();
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(products).header("Authorization", "Bearer " + token)
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).startsWith("{\"data\":[{\"product_id\":\"prod-00000\"");

      assertThatThrownBy(() -> DriverManager.getConnection(sources.database().jdbcUrl(), DemoDatabase.READER_ROLE,
          "not-the-password").close())
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
      String login = Files.readString(sources.usersDbSecret());
      String password = dev.featurepipe.ops.Json.mapper().readTree(login).get("password").asText();
      try (Connection c = DriverManager.getConnection(sources.database().jdbcUrl(), DemoDatabase.READER_ROLE, password);
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + DemoDatabase.TABLE)) {
          rs.next();
          assertThat(rs.getLong(1)).isEqualTo(clicks.users() + UsersGenerator.Spec.of(clicks).brokenRows());
        }
        assertThatThrownBy(() -> s.execute("DELETE FROM " + DemoDatabase.TABLE))
            .as("the pipeline's role may only read")
            .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
      }
    }
    for (int port : new int[] {postgresPort, apiPort}) {
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("port %d closed", port)
          .isInstanceOf(ConnectException.class);
    }
  }

  /** The demo's flow (as in the CLI's demo command) with its own stack and sources under {@code dir}. */
  private static Run runDemo(Path dir, ClickstreamGenerator.Spec clicks, UsersGenerator.Dataset users,
      CatalogGenerator.Dataset catalog) throws Exception {
    try (DemoSources sources = DemoSources.start(dir.resolve("demo"), DemoSources.Ports.FREE, users, catalog);
        LocalStackFixture stack = new LocalStackFixture(dir.resolve("stack"), demoConfig(sources),
            UnaryOperator.identity())) {
      stack.local.upload(ClickstreamGenerator.generate(clicks, "clickstream/"));
      ExecutionResult result = stack.runDaily(DATE, Map.of(), true);
      assertThat(result.status()).as("%s %s", result.error(), result.cause()).isEqualTo("SUCCEEDED");
      Map<String, PartitionManifest> manifests = new TreeMap<>();
      Map<String, String> hashes = new TreeMap<>();
      Path downloads = dir.resolve("downloads");
      for (String source : List.of("clickstream", "users", "products")) {
        PartitionManifest m = stack.lake().getJson(LakeLayout.bronzeManifest(source, DATE), PartitionManifest.class);
        manifests.put(source, m);
        for (FileEntry f : m.files()) {
          byte[] bytes = stack.lake().get(f.key());
          hashes.put(f.key(), Hashing.sha256Hex(bytes));
          Path file = downloads.resolve(f.key());
          Files.createDirectories(file.getParent());
          Files.write(file, bytes);
        }
      }
      for (String prefix : List.of("silver/product_stats/", "silver/user_activity/")) {
        for (String key : stack.lake().list(prefix)) {
          if (key.endsWith(".parquet")) {
            hashes.put(key, Hashing.sha256Hex(stack.lake().get(key)));
          }
        }
      }
      Map<String, Record> userActivity = new TreeMap<>();
      stack.silverRows("user_activity_v1", DATE).forEach(r -> userActivity.put((String) r.getField("user_id"), r));
      return new Run(manifests, hashes, downloads, userActivity, stack.onlineItems("user_activity_v1"),
          stack.onlineItems("meta").get("meta:user_activity_v1"),
          stack.local.context().config().config().group("user_activity_v1").orElseThrow().spec().vector().orElseThrow()
              .vocabulary());
    }
  }

  /** The demo config with the sources' free ports and absolute secret paths in place of its fixed ones. */
  private static LoadedConfig demoConfig(DemoSources sources) throws Exception {
    String yaml = Files.readString(RepoRoot.locate().resolve(DEMO_CONFIG));
    yaml = replaceOnce(yaml, "jdbc:postgresql://127.0.0.1:" + DemoSources.DEFAULT_POSTGRES_PORT + "/postgres",
        sources.database().jdbcUrl());
    yaml = replaceOnce(yaml, "http://127.0.0.1:" + DemoSources.DEFAULT_API_PORT, sources.api().baseUrl().toString());
    yaml = replaceOnce(yaml, "file:.featurepipe/demo/" + DemoSources.USERS_DB_SECRET, "file:" + sources.usersDbSecret());
    yaml = replaceOnce(yaml, "file:.featurepipe/demo/" + DemoSources.API_TOKEN_SECRET, "file:" + sources.apiTokenSecret());
    return ConfigLoader.load(yaml.getBytes(StandardCharsets.UTF_8), DEMO_CONFIG + " (test ports)",
        SchemaFiles.directories(java.util.List.of(RepoRoot.locate().resolve("config/schemas"))));
  }

  private static String replaceOnce(String text, String target, String replacement) {
    assertThat(text.split(java.util.regex.Pattern.quote(target), -1)).as("%s occurs once in %s", target, DEMO_CONFIG)
        .hasSize(2);
    return text.replace(target, replacement);
  }

  /**
   * user_activity of the one date (so every window holds just it) against DuckDB over the Bronze
   * clickstream joined with the Bronze catalog, and the DynamoDB items against both.
   */
  private static void assertUserActivityMatchesDuckDb(Run run, CatalogGenerator.Dataset catalog) throws SQLException {
    assertThat(run.vocabulary()).as("the vector's vocabulary covers the catalog's categories")
        .containsAll(catalog.products().stream().map(CatalogGenerator.Product::category).distinct().toList());
    Map<String, List<Object>> expected = new TreeMap<>();
    Map<String, Map<String, Long>> categories = new TreeMap<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
      // A replayed event (same user and event id) counts once: the first by event time, then every
      // column in Bronze order, nulls first. Each event gets its product's category from the catalog.
      st.execute("CREATE TABLE j AS WITH e AS (SELECT * FROM read_parquet("
          + files(run, run.manifests().get("clickstream")) + ") QUALIFY row_number() OVER (PARTITION BY user_id,"
          + " event_id ORDER BY event_time, event_id, user_id, product_id, event_type, price NULLS FIRST,"
          + " quantity NULLS FIRST, session_id NULLS FIRST, _source_line) = 1)"
          + " SELECT e.*, p.category FROM e LEFT JOIN read_parquet(" + files(run, run.manifests().get("products"))
          + ") p ON e.product_id = p.product_id");
      try (ResultSet rs = st.executeQuery("SELECT user_id, count(*) FILTER (WHERE event_type = 'view'),"
          + " count(*) FILTER (WHERE event_type = 'click'), count(*) FILTER (WHERE event_type = 'purchase'),"
          + " coalesce(sum(price * quantity) FILTER (WHERE event_type = 'purchase'), 0), count(DISTINCT product_id)"
          + " FROM j GROUP BY user_id")) {
        while (rs.next()) {
          long views = rs.getLong(2);
          long clicks = rs.getLong(3);
          expected.put(rs.getString(1), new ArrayList<>(List.of(views, clicks, rs.getLong(4),
              rs.getBigDecimal(5).setScale(2), rs.getLong(6), views == 0 ? "null" : (double) clicks / views)));
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT user_id, category, count(*) FROM j WHERE category IS NOT NULL"
          + " GROUP BY user_id, category")) {
        while (rs.next()) {
          categories.computeIfAbsent(rs.getString(1), u -> new TreeMap<>()).put(rs.getString(2), rs.getLong(3));
        }
      }
    }
    expected.forEach((user, row) -> {
      Map<String, Long> counts = categories.getOrDefault(user, Map.of());
      row.add(counts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(3).map(e -> e.getKey() + "=" + e.getValue()).toList());
      long total = counts.values().stream().mapToLong(Long::longValue).sum();
      row.add(run.vocabulary().stream()
          .map(c -> total == 0 ? 0.0f : (float) ((double) counts.getOrDefault(c, 0L) / total)).toList());
    });
    assertThat(expected.values()).as("some users have a full top 3")
        .anyMatch(r -> ((List<?>) r.get(6)).size() == 3);

    Map<String, List<Object>> silver = new TreeMap<>();
    run.userActivity().forEach((user, r) -> {
      for (String w : List.of("1d", "7d", "30d")) {
        List<Object> row = new ArrayList<>(List.of(r.getField("views_" + w), r.getField("clicks_" + w),
            r.getField("purchases_" + w), ((BigDecimal) r.getField("revenue_" + w)).setScale(2),
            r.getField("distinct_products_" + w), r.getField("ctr_" + w) == null ? "null" : r.getField("ctr_" + w)));
        row.add(((List<?>) r.getField("top_categories_" + w)).stream()
            .map(e -> ((Record) e).get(0) + "=" + ((Record) e).get(1)).toList());
        row.add(r.getField("category_profile"));
        if (w.equals("1d")) {
          silver.put(user, row);
        } else {
          assertThat(row).as("%s: one date, so %s equals 1d", user, w).isEqualTo(silver.get(user));
        }
      }
    });
    assertThat(silver).isEqualTo(expected);

    Map<String, List<Object>> online = new TreeMap<>();
    run.userItems().forEach((pk, item) -> {
      assertThat(pk).startsWith("u:feat:");
      java.nio.ByteBuffer vec = item.get("category_profile").b().asByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
      List<Float> profile = new ArrayList<>();
      while (vec.hasRemaining()) {
        profile.add(vec.getFloat());
      }
      online.put(pk.substring("u:feat:".length()), List.of(Long.parseLong(item.get("views_30d").n()),
          Long.parseLong(item.get("clicks_30d").n()), Long.parseLong(item.get("purchases_30d").n()),
          new BigDecimal(item.get("revenue_30d").n()).setScale(2), Long.parseLong(item.get("distinct_products_30d").n()),
          item.containsKey("ctr_30d") ? (Object) Double.parseDouble(item.get("ctr_30d").n()) : "null",
          item.get("top_categories_30d").l().stream().map(e -> e.m().get("value").s() + "=" + e.m().get("count").n())
              .toList(),
          profile));
    });
    assertThat(online).isEqualTo(expected);
    assertThat(run.userMeta().get("meta").s()).contains("\"order\":" + dev.featurepipe.ops.Json.string(run.vocabulary()))
        .contains("\"key_prefix\":\"u:feat:\"").contains("\"name\":\"ctr_7d\"");
  }

  /** A DuckDB list literal of the manifest's files as downloaded: read through the manifest, never a listing. */
  private static String files(Run run, PartitionManifest manifest) {
    return manifest.files().stream().map(f -> "'" + run.downloads().resolve(f.key()) + "'")
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
