package dev.featurepipe.infra.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.featurepipe.infra.stack.StackStartFailed;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The demo's product catalog behind a local REST API: {@code GET /products?limit=N&cursor=C} on
 * 127.0.0.1 with {@code Authorization: Bearer <token>}. Cursor pagination, the kind the rest
 * connector follows most simply and the one that stays correct when records change between pages:
 * each response is {@code {"data": [...], "next_cursor": "..."}}, and the last page has no {@code
 * next_cursor}. Cursors are opaque to clients (base64url of the next position).
 */
public final class CatalogApi implements AutoCloseable {

  public static final String PATH = "/products";

  static final String SERVICE = "the demo's product catalog API";

  /** Page size when the client does not ask. */
  static final int LIMIT_DEFAULT = 100;

  /** Larger requests are refused, as real APIs cap page sizes. */
  static final int LIMIT_MAX = 500;

  private final HttpServer server;
  private final byte[] expectedAuthorization;
  private final List<String> records;

  private CatalogApi(HttpServer server, String token, List<String> records) {
    this.server = server;
    this.expectedAuthorization = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.records = List.copyOf(records);
  }

  /**
   * Serves {@code records} (JSON objects, in this order) on 127.0.0.1:{@code port}, 0 for a free one;
   * a taken port fails with a {@link StackStartFailed} naming it.
   */
  public static CatalogApi start(int port, String token, List<String> records) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (BindException e) {
      throw LoopbackPort.taken(port, SERVICE);
    } catch (IOException e) {
      throw new StackStartFailed("Cannot start the demo's product catalog API on 127.0.0.1:" + port + ": " + e, e);
    }
    CatalogApi api = new CatalogApi(server, token, records);
    server.createContext(PATH, api::handle);
    // The default executor answers on the server's one dispatcher thread: the connector asks page by page.
    server.start();
    return api;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(PATH)) {
        reply(exchange, 404, "{\"error\":\"no such resource\"}");
        return;
      }
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        reply(exchange, 405, "{\"error\":\"only GET\"}");
        return;
      }
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      // Constant-time, so response timing says nothing about how much of a guess was right.
      if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), expectedAuthorization)) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"featurepipe-demo\"");
        reply(exchange, 401, "{\"error\":\"a valid bearer token is required\"}");
        return;
      }
      int limit;
      int from;
      try {
        limit = Integer.parseInt(param(exchange.getRequestURI(), "limit", Integer.toString(LIMIT_DEFAULT)));
        from = decodeCursor(param(exchange.getRequestURI(), "cursor", null));
      } catch (IllegalArgumentException e) {
        reply(exchange, 400, "{\"error\":\"limit must be a whole number and cursor one this API returned\"}");
        return;
      }
      if (limit < 1 || limit > LIMIT_MAX || from > records.size()) {
        reply(exchange, 400, "{\"error\":\"limit must be from 1 to " + LIMIT_MAX + "\"}");
        return;
      }
      int to = Math.min(records.size(), from + limit);
      StringBuilder body = new StringBuilder("{\"data\":[");
      for (int i = from; i < to; i++) {
        body.append(i == from ? "" : ",").append(records.get(i));
      }
      body.append(']');
      if (to < records.size()) {
        body.append(",\"next_cursor\":\"").append(encodeCursor(to)).append('"');
      }
      reply(exchange, 200, body.append('}').toString());
    }
  }

  static String encodeCursor(int position) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(("pos:" + position).getBytes(StandardCharsets.US_ASCII));
  }

  /** The position a cursor stands for; no cursor is the start. Throws IllegalArgumentException for a bad one. */
  static int decodeCursor(String cursor) {
    if (cursor == null) {
      return 0;
    }
    String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
    if (!text.startsWith("pos:")) {
      throw new IllegalArgumentException("not a cursor of this API");
    }
    int position = Integer.parseInt(text.substring(4));
    if (position < 0) {
      throw new IllegalArgumentException("not a cursor of this API");
    }
    return position;
  }

  private static String param(URI uri, String name, String dflt) {
    String query = uri.getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
          return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
    }
    return dflt;
  }

  private static void reply(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "CatalogApi[%s%s, %d records]", baseUrl(), PATH, records.size());
  }
}
