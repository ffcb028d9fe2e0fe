package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP server at a streamable HTTP URL (MCP 2025-03-26 and later): every message from the
 * client is one {@code POST} with {@code Accept: application/json, text/event-stream}; the
 * server answers a request with one JSON body or with an event stream that carries the response
 * and whatever the server sends meanwhile (progress, logs, its own requests to the client). The
 * {@code Mcp-Session-Id} the server gives in its answer to {@code initialize} goes with every later
 * message, and the negotiated version as {@code MCP-Protocol-Version}; after {@code
 * notifications/initialized} a {@code GET} stream carries what the server sends outside any
 * request. {@link #close()} ends the session with a {@code DELETE}.
 *
 * <p>Order: {@code initialize} goes first and everything else waits for its answer (the session
 * id); a notification goes out only after every earlier notification was accepted, and a request
 * or response only after every earlier notification, so {@code notifications/initialized} reaches
 * the server before the requests that follow it. Requests do not wait for each other.
 *
 * <p>A request the server answers with an HTTP error, whose stream ends without its response, or
 * that cannot be sent at all is reported {@linkplain Listener#lost lost}. Exchanges in flight are
 * bounded by the relay's in-flight limit; {@link #forget} aborts one.
 */
public final class HttpUpstream implements Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(HttpUpstream.class);
  private static final String SESSION_HEADER = "Mcp-Session-Id";
  private static final String VERSION_HEADER = "MCP-Protocol-Version";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final URI url;
  private final Map<String, String> headers;
  private final int maxMessageBytes;
  private final ObjectMapper parser;
  private final HttpClient http;
  private final ExecutorService readers = Executors.newCachedThreadPool(body -> {
    Thread thread = new Thread(body, "toolgate-gateway-http-upstream");
    thread.setDaemon(true);
    return thread;
  });
  /** Streams being read, by the id of the request they answer (or a key of their own), to abort them. */
  private final Map<Object, InputStream> open = new ConcurrentHashMap<>();

  private final Object lock = new Object();
  private Listener listener;
  private volatile String sessionId;
  private volatile String protocolVersion;
  private volatile boolean ready;
  private volatile java.util.function.Consumer<Boolean> readiness = ok -> {};
  private volatile boolean closed;
  /** Completes when every notification sent so far was accepted (and, first, when initialize was answered). */
  private CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
  private boolean streamOpened;

  /**
   * @param url the server's MCP endpoint
   * @param headers sent with every request (an API key for the server itself, say)
   * @param maxMessageBytes the largest message read from the server; a longer one is dropped
   */
  public HttpUpstream(URI url, Map<String, String> headers, int maxMessageBytes) {
    this.url = url;
    this.headers = Map.copyOf(headers);
    this.maxMessageBytes = maxMessageBytes;
    this.parser = JsonRpc.parser(maxMessageBytes, false);
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .executor(readers)
        .build();
  }

  @Override
  public void start(Listener listener) {
    synchronized (lock) {
      this.listener = listener;
    }
  }

  /** Told {@code true} when the server answers {@code initialize} with a result, {@code false} when it cannot. */
  @Override
  public void onReadiness(java.util.function.Consumer<Boolean> readiness) {
    this.readiness = readiness;
  }

  /** Whether the server answered this session's {@code initialize} with a result. */
  public boolean ready() {
    return ready;
  }

  @Override
  public void send(Message message) {
    if (closed) {
      if (message.kind() == Message.Kind.REQUEST) {
        listener.lost(message.id(), "the gateway's upstream session is closed");
      }
      return;
    }
    synchronized (lock) {
      if (message.isRequest("initialize")) {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        CompletableFuture<Void> before = gate;
        gate = before.handle((v, e) -> null).thenCompose(v -> post(message, answered)).handle((v, e) -> null);
        return;
      }
      if (message.kind() == Message.Kind.NOTIFICATION) {
        gate = gate.thenCompose(v -> post(message, null)).handle((v, e) -> null);
        if (message.isNotification("notifications/initialized")) {
          gate.thenRun(this::openServerStream);
        }
      } else {
        gate.thenRun(() -> post(message, null));
      }
    }
  }

  /**
   * Posts {@code message}; the future completes when the server accepted it (its answer's headers
   * came), or, for {@code initialize} ({@code answered} not {@code null}), when it was answered.
   */
  private CompletableFuture<Void> post(Message message, CompletableFuture<Void> answered) {
    HttpRequest.Builder request = HttpRequest.newBuilder(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(message.text()));
    withSession(request);
    boolean isRequest = message.kind() == Message.Kind.REQUEST;
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
        .whenComplete((response, error) -> {
          accepted.complete(null);
          if (error != null) {
            if (answered != null) {
              readiness.accept(false);
            }
            if (isRequest) {
              lost(message.id(), "the upstream server could not be reached (" + error.getMessage() + ")");
            } else {
              LOG.warn("could not send {} to the upstream server: {}", message.method(), error.getMessage());
            }
            complete(answered);
            return;
          }
          if (answered != null) {
            response.headers().firstValue(SESSION_HEADER).ifPresent(id -> sessionId = id);
          }
          readers.execute(() -> {
            try {
              read(message, response);
            } finally {
              complete(answered);
            }
          });
        });
    return answered != null ? answered : accepted;
  }

  private static void complete(CompletableFuture<Void> future) {
    if (future != null) {
      future.complete(null);
    }
  }

  private void withSession(HttpRequest.Builder request) {
    headers.forEach(request::header);
    String session = sessionId;
    if (session != null) {
      request.header(SESSION_HEADER, session);
    }
    String version = protocolVersion;
    if (version != null) {
      request.header(VERSION_HEADER, version);
    }
  }

  /** Reads the server's answer to {@code message}: nothing, one JSON message, or an event stream. */
  private void read(Message message, HttpResponse<InputStream> response) {
    JsonNode id = message.kind() == Message.Kind.REQUEST ? message.id() : null;
    Object key = id != null ? id : new Object();
    boolean answered = false;
    try (InputStream body = response.body()) {
      if (response.statusCode() >= 300) {
        String reason = "the upstream server answered HTTP " + response.statusCode()
            + (response.statusCode() == 404 && sessionId != null ? " (its session ended)" : "");
        if (answered(message)) {
          readiness.accept(false);
        }
        if (id != null) {
          lost(id, reason);
        } else {
          LOG.warn("{} for {}", reason, message.method());
        }
        return;
      }
      if (closed) {
        return;
      }
      open.put(key, body);
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (type.startsWith("text/event-stream")) {
        answered = events(body, id);
      } else if (type.startsWith("application/json")) {
        byte[] bytes = body.readNBytes(maxMessageBytes + 1);
        answered = bytes.length <= maxMessageBytes && deliver(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), id);
      }
    } catch (IOException e) {
      LOG.debug("the upstream server's answer broke off", e);
    } finally {
      open.remove(key);
    }
    if (id != null && !answered) {
      lost(id, "the upstream server ended its answer without a response");
    }
  }

  private static boolean answered(Message message) {
    return message.isRequest("initialize");
  }

  /** Reads server-sent events, delivering each; whether one was the response to {@code id}. */
  private boolean events(InputStream body, JsonNode id) throws IOException {
    LineReader reader = new LineReader(body, maxMessageBytes);
    StringBuilder data = new StringBuilder();
    boolean answered = false;
    for (LineReader.Line line; (line = reader.next()) != null; ) {
      if (!(line instanceof LineReader.Line.Text text)) {
        data.setLength(0); // too large or not UTF-8: the event is dropped
        continue;
      }
      String field = text.text().endsWith("\r") ? text.text().substring(0, text.text().length() - 1) : text.text();
      if (field.isEmpty()) {
        if (data.length() > 0) {
          answered |= deliver(data.toString(), id);
          data.setLength(0);
          if (answered && id != null) {
            return true; // the response ends the request's stream
          }
        }
      } else if (field.startsWith("data:")) {
        if (data.length() > 0) {
          data.append('\n');
        }
        data.append(field.startsWith("data: ") ? field.substring(6) : field.substring(5));
        if (data.length() > maxMessageBytes) {
          data.setLength(0);
        }
      }
    }
    return answered;
  }

  /** Hands one message from the server to the listener; whether it was the response to {@code id}. */
  private boolean deliver(String text, JsonNode id) {
    ObjectNode json;
    try {
      if (!(parser.readTree(text) instanceof ObjectNode object)) {
        LOG.warn("upstream server sent what is not a JSON-RPC message; dropped: {}", ProcessUpstream.excerpt(text));
        return false;
      }
      json = object;
    } catch (IOException e) {
      LOG.warn("upstream server sent what is not JSON; dropped: {}", ProcessUpstream.excerpt(text));
      return false;
    }
    Message message = new Message(text, json);
    boolean response = message.kind() == Message.Kind.RESPONSE && id != null && id.equals(message.id());
    if (response) {
      JsonNode version = json.path("result").get("protocolVersion");
      if (version != null && version.isTextual() && protocolVersion == null) {
        protocolVersion = version.asText();
        ready = true;
        readiness.accept(true);
      }
    }
    if (!closed) {
      listener.received(message);
    }
    return response;
  }

  /** The stream for what the server sends outside any request; a server without one answers 405. */
  private void openServerStream() {
    synchronized (lock) {
      if (streamOpened || closed) {
        return;
      }
      streamOpened = true;
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(url).header("Accept", "text/event-stream").GET();
    withSession(request);
    http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream()).whenComplete((response, error) -> {
      if (error != null) {
        LOG.debug("no stream from the upstream server: {}", error.getMessage());
        return;
      }
      readers.execute(() -> {
        Object key = new Object();
        try (InputStream body = response.body()) {
          if (response.statusCode() == 200 && !closed) {
            open.put(key, body);
            events(body, null);
          }
        } catch (IOException e) {
          LOG.debug("the upstream server's stream broke off", e);
        } finally {
          open.remove(key);
        }
      });
    });
  }

  private void lost(JsonNode id, String reason) {
    if (!closed) {
      listener.lost(id, reason);
    }
  }

  @Override
  public void forget(JsonNode id) {
    InputStream stream = open.remove(id);
    if (stream != null) {
      try {
        stream.close(); // aborts the exchange: its late response is never read
      } catch (IOException e) {
        LOG.debug("could not abort an upstream exchange", e);
      }
    }
  }

  /** Ends the server's session ({@code DELETE}, best effort) and aborts every open exchange. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    String session = sessionId;
    if (session != null) {
      HttpRequest.Builder delete = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).DELETE();
      withSession(delete);
      try {
        http.send(delete.build(), HttpResponse.BodyHandlers.discarding());
      } catch (IOException e) {
        LOG.debug("could not end the upstream session", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Object key : open.keySet()) {
      InputStream stream = open.remove(key);
      if (stream != null) {
        try {
          stream.close();
        } catch (IOException e) {
          LOG.debug("could not abort an upstream exchange", e);
        }
      }
    }
    readers.shutdownNow();
  }
}
