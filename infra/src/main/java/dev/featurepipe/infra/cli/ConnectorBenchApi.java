package dev.featurepipe.infra.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A paginated orders API on the JDK's HTTP server, for the REST connector's benchmark: {@code GET
 * /v1/<partition>/orders/<dt>[?cursor=<c>]} answers pre-rendered pages (so the server spends almost
 * no CPU beside the connector on a shared machine) and points at the next page with {@code
 * meta.next_cursor}, null on the last.
 */
final class ConnectorBenchApi implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor;
  /** Pages by partition, then by cursor ("" for the first page). */
  private final Map<String, Map<String, byte[]>> pages;

  private ConnectorBenchApi(HttpServer server, ExecutorService executor, Map<String, Map<String, byte[]>> pages) {
    this.server = server;
    this.executor = executor;
    this.pages = pages;
  }

  /** Serves {@code partitions}' pages (each list in page order) on a free loopback port. */
  static ConnectorBenchApi start(Map<String, List<byte[]>> partitions) {
    Map<String, Map<String, byte[]>> byCursor = new TreeMap<>();
    partitions.forEach((partition, list) -> {
      Map<String, byte[]> m = new TreeMap<>();
      for (int i = 0; i < list.size(); i++) {
        m.put(i == 0 ? "" : cursor(partition, i), list.get(i));
      }
      byCursor.put(partition, m);
    });
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-api");
        t.setDaemon(true);
        return t;
      });
      server.setExecutor(executor);
      ConnectorBenchApi api = new ConnectorBenchApi(server, executor, byCursor);
      server.createContext("/v1/", api::handle);
      server.start();
      return api;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the benchmark's API server", e);
    }
  }

  /** Opaque-looking but stable cursors, like an encoded position. */
  static String cursor(String partition, int page) {
    return partition + "." + Integer.toString(page * 7919 + 1000, 36);
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String[] path = exchange.getRequestURI().getPath().split("/");
      // "", "v1", partition, "orders", dt
      Map<String, byte[]> partition = path.length == 5 && path[3].equals("orders") ? pages.get(path[2]) : null;
      String query = exchange.getRequestURI().getRawQuery();
      String cursor = query != null && query.startsWith("cursor=") ? query.substring("cursor=".length()) : "";
      byte[] body = partition == null ? null : partition.get(cursor);
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
