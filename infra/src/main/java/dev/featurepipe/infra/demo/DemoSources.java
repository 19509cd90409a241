package dev.featurepipe.infra.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The demo's two non-S3 sources, up and loaded: the users table in a real PostgreSQL
 * ({@link DemoDatabase}) and the product catalog behind a local REST API ({@link CatalogApi}).
 * Their credentials are fresh random values written to files under {@code <workDir>/secrets/}
 * (owner-only), where the demo config's {@code file:} references point; they are never printed.
 *
 * <p>Layout of {@code workDir}: {@code postgres/} (data directory), {@code postgres.log},
 * {@code secrets/users-db.json} ({@code {"username", "password"}}), {@code secrets/catalog-api-token}.
 */
public final class DemoSources implements AutoCloseable {

  /** Beside the stack's 4566 and 8000, fixed so the demo config (whose hash is in lineage) never changes. */
  public static final int DEFAULT_POSTGRES_PORT = 15432;

  public static final int DEFAULT_API_PORT = 4567;

  public static final String USERS_DB_SECRET = "secrets/users-db.json";

  public static final String API_TOKEN_SECRET = "secrets/catalog-api-token";

  /** Loopback ports; 0 picks a free one (tests). */
  public record Ports(int postgres, int api) {
    public static final Ports DEFAULT = new Ports(DEFAULT_POSTGRES_PORT, DEFAULT_API_PORT);
    public static final Ports FREE = new Ports(0, 0);
  }

  private final DemoDatabase database;
  private final CatalogApi api;
  private final Path workDir;
  private final Duration startup;

  private DemoSources(DemoDatabase database, CatalogApi api, Path workDir, Duration startup) {
    this.database = database;
    this.api = api;
    this.workDir = workDir;
    this.startup = startup;
  }

  /** Starts both sources and loads them with the generated data; on any failure nothing is left running. */
  public static DemoSources start(Path workDir, Ports ports, UsersGenerator.Dataset users,
      CatalogGenerator.Dataset catalog) {
    long started = System.nanoTime();
    SecureRandom random = new SecureRandom();
    String password = newSecret(random, 24);
    String token = newSecret(random, 24);
    writeSecret(workDir.resolve(USERS_DB_SECRET),
        "{\"username\": \"" + DemoDatabase.READER_ROLE + "\", \"password\": \"" + password + "\"}\n");
    writeSecret(workDir.resolve(API_TOKEN_SECRET), token + "\n");
    CatalogApi api = CatalogApi.start(ports.api(), token, catalog.records());
    DemoDatabase database = null;
    try {
      database = DemoDatabase.start(workDir.resolve("postgres"), ports.postgres(), workDir.resolve("postgres.log"));
      database.load(users, password);
      return new DemoSources(database, api, workDir, Duration.ofNanos(System.nanoTime() - started));
    } catch (RuntimeException e) {
      try (api) {
        if (database != null) {
          database.close();
        }
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * {@link #start} on its own thread, so the sources come up while the embedded stack does; only
   * the port checks run before it returns. Close the handle in all cases: it waits for the start
   * to end and stops whatever started.
   */
  public static Starting startInBackground(Path workDir, Ports ports, UsersGenerator.Dataset users,
      CatalogGenerator.Dataset catalog) {
    // A taken port fails here, before the caller starts anything else beside the sources.
    if (ports.api() != 0) {
      LoopbackPort.requireFree(ports.api(), CatalogApi.SERVICE);
    }
    if (ports.postgres() != 0) {
      LoopbackPort.requireFree(ports.postgres(), DemoDatabase.SERVICE);
    }
    return new Starting(CompletableFuture.supplyAsync(() -> start(workDir, ports, users, catalog),
        r -> Thread.ofPlatform().name("demo-sources").daemon().start(r)));
  }

  /** Sources that are starting; {@link #await} hands them over, {@link #close} stops them. */
  public static final class Starting implements AutoCloseable {
    private final CompletableFuture<DemoSources> future;

    private Starting(CompletableFuture<DemoSources> future) {
      this.future = future;
    }

    /** The started sources, or the exception their start threw. */
    public DemoSources await() {
      try {
        return future.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }

    @Override
    public void close() {
      future.handle((sources, failure) -> {
        if (sources != null) {
          sources.close();
        }
        return null;
      }).join();
    }
  }

  public DemoDatabase database() {
    return database;
  }

  public CatalogApi api() {
    return api;
  }

  /** The file holding the database login (a {@code file:} secret reference's target). */
  public Path usersDbSecret() {
    return workDir.resolve(USERS_DB_SECRET);
  }

  /** The file holding the API's bearer token. */
  public Path apiTokenSecret() {
    return workDir.resolve(API_TOKEN_SECRET);
  }

  /** From the call to {@link #start} until both sources were up and loaded. */
  public Duration startupDuration() {
    return startup;
  }

  @Override
  public void close() {
    try (api) {
      database.close();
    }
  }

  private static String newSecret(SecureRandom random, int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Owner-only where the file system knows POSIX permissions; created so before the value is written. */
  private static void writeSecret(Path file, String value) {
    try {
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      if (posix && !Files.isDirectory(file.getParent())) {
        Files.createDirectories(file.getParent(),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      if (posix) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.writeString(file, value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the demo's secret file " + file, e);
    }
  }
}
