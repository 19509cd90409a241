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
  record Run(Map<String, PartitionManifest> manifests, Map<String, String> parquetSha256, Path downloads) {}

  @Test
  void usersAndProductsLandInBronzeAsGeneratedAndARunFromScratchWritesIdenticalBronzeFiles(@TempDir Path tempDir)
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

    // From scratch: new stack, new PostgreSQL, new API, on other ports, data generated again.
    Run second = runDemo(tempDir.resolve("second"), clicks, UsersGenerator.generate(UsersGenerator.Spec.of(clicks)),
        CatalogGenerator.generate(CatalogGenerator.Spec.of(clicks)));
    assertThat(second.parquetSha256()).isEqualTo(first.parquetSha256());
    assertThat(first.parquetSha256().keySet()).anyMatch(k -> k.startsWith(LakeLayout.bronzePrefix("users", DATE)))
        .anyMatch(k -> k.startsWith(LakeLayout.bronzePrefix("products", DATE)));
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
      return new Run(manifests, hashes, downloads);
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

  /** A DuckDB list literal of the manifest's files as downloaded: read through the manifest, never a listing. */
  private static String files(Run run, PartitionManifest manifest) {
    return manifest.files().stream().map(f -> "'" + run.downloads().resolve(f.key()) + "'")
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
