package io.toolgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A streamable HTTP MCP session driven message by message, for what the SDK's client cannot send
 * ({@code notifications/cancelled}): each request's answer (a JSON body or an event stream) is
 * read on its own thread, message by message, until the server ends it.
 */
final class RawHttpSession implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One request in flight: what came on its stream so far, and its end. */
  static final class Exchange {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<List<JsonNode>> ended = new CompletableFuture<>();
    final List<JsonNode> all = new ArrayList<>();

    /** The next message on the stream; fails after a minute. */
    JsonNode next() throws InterruptedException {
      JsonNode next = messages.poll(60, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("nothing came on the stream within a minute");
      }
      return next;
    }

    /** The next response on the stream, past the notifications the server put before it. */
    JsonNode response() throws InterruptedException {
      JsonNode next = next();
      while (next.has("method")) {
        next = next();
      }
      return next;
    }

    /** Every message of the stream, once the server ended it (within a minute). */
    List<JsonNode> all() throws Exception {
      return ended.get(60, TimeUnit.SECONDS);
    }
  }

  private final URI endpoint;
  /** A client of its own: no connection a server closed while idle in another session is reused. */
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Map<String, String> headers;
  private final ExecutorService readers = Executors.newCachedThreadPool(body -> {
    Thread thread = new Thread(body, "raw-http-session");
    thread.setDaemon(true);
    return thread;
  });
  private String sessionId;
  private String version;

  private RawHttpSession(URI endpoint, Map<String, String> headers) {
    this.endpoint = endpoint;
    this.headers = headers;
  }

  /** A session opened with {@code initialize} (asking for {@code version}) and {@code notifications/initialized}. */
  static RawHttpSession open(URI endpoint, Map<String, String> headers, String version) throws Exception {
    RawHttpSession session = new RawHttpSession(endpoint, headers);
    JsonNode answer = session.request("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
        + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}").next();
    session.version = answer.at("/result/protocolVersion").asText();
    int status = session.notify("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    if (status != 202) {
      throw new AssertionError("notifications/initialized got HTTP " + status);
    }
    return session;
  }

  String protocolVersion() {
    return version;
  }

  private HttpRequest.Builder builder() {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream");
    headers.forEach(request::header);
    if (sessionId != null) {
      request.header("Mcp-Session-Id", sessionId);
    }
    if (version != null) {
      request.header("MCP-Protocol-Version", version);
    }
    return request;
  }

  /** Sends a request; its answer is read on another thread. */
  Exchange request(String json) throws Exception {
    HttpResponse<Stream<String>> response =
        http.send(builder().POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new AssertionError("HTTP " + response.statusCode() + " for " + json);
    }
    response.headers().firstValue("Mcp-Session-Id").ifPresent(id -> sessionId = id);
    boolean events = response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
    Exchange exchange = new Exchange();
    readers.execute(() -> {
      try (Stream<String> lines = response.body()) {
        lines.forEach(line -> {
          String data = events ? (line.startsWith("data:") ? line.substring(5).trim() : null) : line;
          if (data != null && !data.isEmpty()) {
            JsonNode message = read(data);
            exchange.all.add(message);
            exchange.messages.add(message);
          }
        });
        exchange.ended.complete(List.copyOf(exchange.all));
      } catch (RuntimeException e) {
        exchange.ended.completeExceptionally(e);
      }
    });
    return exchange;
  }

  /** Sends a notification; the HTTP status it got. */
  int notify(String json) throws Exception {
    return http.send(builder().POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static JsonNode read(String data) {
    try {
      return JSON.readTree(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ends the session ({@code DELETE}). */
  @Override
  public void close() throws Exception {
    if (sessionId != null) {
      http.send(builder().DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }
    readers.shutdownNow();
  }
}
