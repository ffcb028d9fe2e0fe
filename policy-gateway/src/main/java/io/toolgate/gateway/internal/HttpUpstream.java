package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 *
 * <p>Each exchange runs on one thread of this upstream's pool, which writes the request and reads
 * the answer from the socket itself ({@link Http1Client}, keep-alive): the response is relayed as
 * soon as its event is read; the rest of the stream is then read to its end, so that the
 * connection is reused.
 */
public final class HttpUpstream implements Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(HttpUpstream.class);
  private static final String SESSION_HEADER = "Mcp-Session-Id";
  private static final String VERSION_HEADER = "MCP-Protocol-Version";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * How long the server may take over each read of its answer to a notification or a response
   * (it owes only {@code 202}): later notifications wait for that answer's head.
   */
  static final Duration NOT_A_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, String> headers;
  private final int maxMessageBytes;
  private final ObjectMapper parser;
  private final Http1Client http;
  private final ExecutorService readers = Executors.newCachedThreadPool(body -> {
    Thread thread = new Thread(body, "toolgate-gateway-http-upstream");
    thread.setDaemon(true);
    return thread;
  });
  /** Set while a thread that may block for the whole exchange hands this upstream a request. */
  private static final ThreadLocal<Runnable[]> INLINE = new ThreadLocal<>();
  /** Streams being read, by the id of the request they answer (or a key of their own), to abort them. */
  private final Map<Object, java.io.Closeable> open = new ConcurrentHashMap<>();

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
    headers.forEach(Http1Client::checkHeader);
    this.headers = Map.copyOf(headers);
    this.maxMessageBytes = maxMessageBytes;
    this.parser = JsonRpc.parser(maxMessageBytes, false);
    this.http = new Http1Client(url, CONNECT_TIMEOUT);
  }

  @Override
  public void start(Listener listener) {
    synchronized (lock) {
      this.listener = listener;
    }
  }

  /**
   * Runs {@code relaying}; then the first request it sent to an HTTP upstream, if it could go at
   * once, is sent and its answer read on this thread rather than on a thread of the upstream's
   * pool (one hand-off less). For a caller with nothing else to do, such as the HTTP client side's
   * handler of a {@code POST} that carries a request.
   */
  public static void onThisThread(Runnable relaying) {
    Runnable[] exchange = new Runnable[1];
    INLINE.set(exchange);
    try {
      relaying.run();
    } finally {
      INLINE.remove();
    }
    if (exchange[0] != null) {
      exchange[0].run();
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
    CompletableFuture<Void> before;
    synchronized (lock) {
      if (message.isRequest("initialize")) {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        gate = gate.handle((v, e) -> null).thenCompose(v -> post(message, answered)).handle((v, e) -> null);
        return;
      }
      if (message.kind() == Message.Kind.NOTIFICATION) {
        gate = gate.thenCompose(v -> post(message, null)).handle((v, e) -> null);
        if (message.isNotification("notifications/initialized")) {
          gate.thenRun(this::openServerStream);
        }
        return;
      }
      before = gate;
    }
    before.thenRun(() -> post(message, null)); // outside the lock: the post may run on this thread
  }

  /**
   * Posts {@code message}; the future completes when the server accepted it (its answer's head
   * came), or, for {@code initialize} ({@code answered} not {@code null}), when it was answered.
   */
  private CompletableFuture<Void> post(Message message, CompletableFuture<Void> answered) {
    Map<String, String> request = withSession();
    request.put("Content-Type", "application/json");
    request.put("Accept", "application/json, text/event-stream");
    byte[] body = message.text().getBytes(StandardCharsets.UTF_8);
    boolean isRequest = message.kind() == Message.Kind.REQUEST;
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    Object key = isRequest ? message.id() : new Object();
    Runnable[] inline = isRequest && answered == null ? INLINE.get() : null;
    INLINE.remove();
    try {
      (inline != null ? (java.util.concurrent.Executor) task -> inline[0] = task : readers).execute(() -> {
        Http1Client.Response response;
        try {
          // a tools/call the server may have run is never sent twice; other messages may be
          response = http.exchange("POST", request, body, isRequest ? Duration.ZERO : NOT_A_REQUEST_TIMEOUT,
              !message.isRequest("tools/call"),
              abort -> open.put(key, abort));
        } catch (IOException | RuntimeException error) {
          open.remove(key);
          accepted.complete(null);
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
        accepted.complete(null);
        if (answered != null && response.header(SESSION_HEADER) != null) {
          sessionId = response.header(SESSION_HEADER);
        }
        try {
          read(message, response, key);
        } finally {
          complete(answered);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      accepted.complete(null);
      complete(answered);
      if (isRequest) {
        lost(message.id(), "the gateway's upstream session is closed");
      }
    }
    return answered != null ? answered : accepted;
  }

  private static void complete(CompletableFuture<Void> future) {
    if (future != null) {
      future.complete(null);
    }
  }

  /** The configured headers, the session id and the protocol version, for one request. */
  private Map<String, String> withSession() {
    Map<String, String> request = new LinkedHashMap<>(headers);
    String session = sessionId;
    if (session != null) {
      request.put(SESSION_HEADER, session);
    }
    String version = protocolVersion;
    if (version != null) {
      request.put(VERSION_HEADER, version);
    }
    return request;
  }

  /** Reads the server's answer to {@code message}: nothing, one JSON message, or an event stream. */
  private void read(Message message, Http1Client.Response response, Object key) {
    JsonNode id = message.kind() == Message.Kind.REQUEST ? message.id() : null;
    boolean answered = false;
    try (InputStream body = response.body()) {
      if (response.status() >= 300) {
        String reason = "the upstream server answered HTTP " + response.status()
            + (response.status() == 404 && sessionId != null ? " (its session ended)" : "");
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
      open.put(key, body);
      if (closed) {
        return;
      }
      if (id == null) {
        ignore(body, message);
        return;
      }
      String type = response.header("Content-Type") == null ? "" : response.header("Content-Type");
      if (type.startsWith("text/event-stream")) {
        answered = events(body, id, key);
      } else if (type.startsWith("application/json")) {
        byte[] bytes = body.readNBytes(maxMessageBytes + 1);
        answered = bytes.length <= maxMessageBytes && deliver(new String(bytes, StandardCharsets.UTF_8), id);
      } else {
        body.skip(Long.MAX_VALUE);
      }
    } catch (IOException e) {
      LOG.debug("the upstream server's answer broke off", e);
    } finally {
      open.remove(key, response.body()); // or, after the response, under a key of its own:
      open.values().remove(response.body());
    }
    if (id != null && !answered) {
      lost(id, "the upstream server ended its answer without a response");
    }
  }

  /**
   * Reads and drops what the server sent in answer to a notification or a response, where it owes
   * no body: at most {@code maxMessageBytes} of it (a longer one is cut off with its connection),
   * so that no answer holds a thread for longer than its reads' timeout.
   */
  private void ignore(InputStream body, Message message) throws IOException {
    byte[] scratch = new byte[512];
    long left = maxMessageBytes;
    for (int n; (n = body.read(scratch, 0, (int) Math.min(scratch.length, left + 1))) >= 0; ) {
      left -= n;
      if (left < 0) {
        LOG.warn("the upstream server answered {} with a body of more than {} bytes; cut off", message.method(),
            maxMessageBytes);
        return; // closing the body unread closes its connection
      }
    }
  }

  private static boolean answered(Message message) {
    return message.isRequest("initialize");
  }

  /**
   * Reads server-sent events to the stream's end, delivering each; whether one was the response
   * to {@code id}. After the response (a server should end the stream there) the stream, {@code
   * key} in {@link #open} until then, is kept under a key of its own, since the client may use
   * the id again; reading on to the end lets the connection be reused.
   */
  private boolean events(InputStream body, JsonNode id, Object key) throws IOException {
    LineReader reader = new LineReader(body, maxMessageBytes, 4096); // one answer: a small buffer
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
          boolean response = deliver(data.toString(), answered ? null : id);
          data.setLength(0);
          if (response && !answered && id != null) {
            answered = true;
            open.put(new Object(), body);
            open.remove(key, body);
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
      if (id != null && message.kind() != Message.Kind.RESPONSE) {
        listener.received(message, id); // on the answer to request id: about it
      } else {
        listener.received(message);
      }
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
    Map<String, String> request = withSession();
    request.put("Accept", "text/event-stream");
    try {
      readers.execute(() -> {
        Object key = new Object();
        Http1Client.Response response;
        try {
          response = http.exchange("GET", request, null, Duration.ZERO, abort -> open.put(key, abort));
        } catch (IOException | RuntimeException e) {
          open.remove(key);
          LOG.debug("no stream from the upstream server: {}", e.getMessage());
          return;
        }
        try (InputStream body = response.body()) {
          if (response.status() == 200 && !closed) {
            open.put(key, body);
            events(body, null, key);
          }
        } catch (IOException e) {
          LOG.debug("the upstream server's stream broke off", e);
        } finally {
          open.remove(key);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      LOG.debug("the upstream session closed before its stream opened");
    }
  }

  private void lost(JsonNode id, String reason) {
    if (!closed) {
      listener.lost(id, reason);
    }
  }

  @Override
  public void forget(JsonNode id) {
    java.io.Closeable stream = open.remove(id);
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
      try (InputStream answer = http.exchange("DELETE", withSession(), null, Duration.ofSeconds(5), abort -> {}).body()) {
        answer.skip(Long.MAX_VALUE);
      } catch (IOException | RuntimeException e) {
        LOG.debug("could not end the upstream session", e);
      }
    }
    for (Object key : open.keySet()) {
      java.io.Closeable stream = open.remove(key);
      if (stream != null) {
        try {
          stream.close();
        } catch (IOException e) {
          LOG.debug("could not abort an upstream exchange", e);
        }
      }
    }
    readers.shutdownNow();
    http.close();
  }
}
