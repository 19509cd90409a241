package dev.featurepipe.tests.connectors.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server (the JDK's) serving a fixed list of JSON records as pages of {@code pageSize},
 * under one path per pagination style: {@code /cursor/<dt>/events?cursor=}, {@code
 * /page/<dt>/events?page=} (1-based), {@code /offset/<dt>/events?offset=&limit=} (limit capped at
 * the page size, as real APIs do) and {@code /link/<dt>/events?after=} with an RFC 8288 next link.
 * Bodies look like {@code {"data":{"items":[...]},"meta":{"next":...}}}. Faults are scripted per page
 * (by the index of its first record) and consumed one per request.
 */
final class ApiServer implements AutoCloseable {

  /** What the server does instead of answering, once. */
  sealed interface Fault {}

  record Status(int code, String retryAfter) implements Fault {}

  record Slow(long millis) implements Fault {}

  /** Closes the connection without a response: the client sees a reset. */
  record Reset() implements Fault {}

  /** A page served successfully: its path and first record's index. */
  record Served(String path, int start) {}

  final List<JsonNode> data;
  final int pageSize;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<Integer, Deque<Fault>> faults = new ConcurrentHashMap<>();
  final List<Served> served = new CopyOnWriteArrayList<>();
  volatile int alwaysStatus;
  volatile String requiredHeader;
  volatile String requiredValue;

  ApiServer(List<JsonNode> data, int pageSize) {
    this.data = List.copyOf(data);
    this.pageSize = pageSize;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  void fault(int start, Fault... script) {
    faults.computeIfAbsent(start, s -> new ArrayDeque<>()).addAll(List.of(script));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      String style = uri.getPath().split("/")[1];
      Map<String, String> query = query(uri);
      if (requiredHeader != null && !requiredValue.equals(exchange.getRequestHeaders().getFirst(requiredHeader))) {
        send(exchange, 401, "{\"error\":\"unauthorized\"}");
        return;
      }
      if (alwaysStatus != 0) {
        send(exchange, alwaysStatus, "{\"error\":\"down\"}");
        return;
      }
      int start = switch (style) {
        case "cursor" -> query.containsKey("cursor") ? Integer.parseInt(query.get("cursor").substring(1)) : 0;
        case "page" -> (Integer.parseInt(query.get("page")) - 1) * pageSize;
        case "offset" -> Integer.parseInt(query.get("offset"));
        case "link" -> query.containsKey("after") ? Integer.parseInt(query.get("after")) : 0;
        default -> throw new IllegalArgumentException(style);
      };
      int size = "offset".equals(style) ? Math.min(pageSize, Integer.parseInt(query.get("limit"))) : pageSize;
      Deque<Fault> script = faults.get(start);
      Fault fault = script == null ? null : script.poll();
      switch (fault) {
        case Status s -> {
          if (s.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", s.retryAfter());
          }
          send(exchange, s.code(), "{\"error\":\"fault\"}");
          return;
        }
        case Reset r -> {
          // Closing without sendResponseHeaders makes the JDK server drop the connection.
          return;
        }
        case Slow s -> sleep(s.millis());
        case null -> { }
      }
      int end = Math.min(data.size(), start + size);
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      ArrayNode items = body.putObject("data").putArray("items");
      for (int i = start; i < end; i++) {
        items.add(data.get(i));
      }
      boolean more = end < data.size();
      ObjectNode meta = body.putObject("meta");
      if ("cursor".equals(style) && more) {
        meta.put("next", "c" + end);
      } else {
        meta.putNull("next");
      }
      if ("link".equals(style)) {
        String prev = "</link/x/events?after=0>; rel=\"prev first\"";
        exchange.getResponseHeaders().add("Link", more ? prev + ", <events?after=" + end + ">; rel=\"next\"" : prev);
      }
      served.add(new Served(uri.getPath(), start));
      send(exchange, 200, body.toString());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> out = new TreeMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** Starts of the pages served successfully, in request order. */
  List<Integer> servedStarts() {
    List<Integer> out = new ArrayList<>();
    served.forEach(s -> out.add(s.start()));
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
