package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.toolgate.api.CallContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's streamable HTTP client side (MCP 2025-03-26 and later) at {@code /mcp}, with
 * {@code /healthz}, {@code /readyz}, {@code /metrics} and the protected-resource metadata of RFC
 * 9728. A {@code POST} without a session id must carry {@code initialize}, which opens a session
 * (its own relay and upstream session) owned by the caller; later messages name it in {@code
 * Mcp-Session-Id}, and a caller naming another principal's session gets {@code 403}. A request is
 * answered on an event stream; notifications and responses get {@code 202}; {@code GET} opens the
 * session's stream for server-initiated messages; {@code DELETE} ends the session. Requests with
 * an {@code Origin} outside the allow-list get {@code 403} (DNS rebinding).
 */
public final class HttpFront {
  private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);
  public static final String ENDPOINT = "/mcp";
  public static final String RESOURCE_METADATA = "/.well-known/oauth-protected-resource";
  private static final String SESSION_HEADER = "Mcp-Session-Id";

  /** Opens a session: its relay and upstream session. */
  public interface Sessions {
    HttpSession open(String id, CallContext context) throws IOException;
  }

  private final Sessions factory;
  private final Authenticator authenticator;
  private final CallContext anonymous;
  private final Set<String> origins;
  private final List<String> authorizationServers;
  private final int maxSessions;
  private final int maxMessageBytes;
  /** The strict parser (built once: an ObjectMapper per request cost more than the rest of the relay). */
  private final com.fasterxml.jackson.databind.ObjectMapper parser;
  private final BooleanSupplier ready;
  private final Supplier<String> metrics;
  private final ExecutorService closer;
  private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
  private volatile boolean draining;

  public HttpFront(Sessions factory, Authenticator authenticator, CallContext anonymous, Set<String> origins,
      List<String> authorizationServers, int maxSessions, int maxMessageBytes, BooleanSupplier ready,
      Supplier<String> metrics, ExecutorService closer) {
    this.factory = factory;
    this.authenticator = authenticator;
    this.anonymous = anonymous;
    this.origins = Set.copyOf(origins);
    this.authorizationServers = List.copyOf(authorizationServers);
    this.maxSessions = maxSessions;
    this.maxMessageBytes = maxMessageBytes;
    this.parser = JsonRpc.parser(maxMessageBytes, true);
    this.ready = ready;
    this.metrics = metrics;
    this.closer = closer;
  }

  /** The sessions open now. */
  public int sessionCount() {
    return sessions.size();
  }

  /** Requests in flight over every session. */
  public int inFlight() {
    return sessions.values().stream().mapToInt(session -> session.relay().inFlight()).sum();
  }

  /** From now on, new sessions and new requests are refused with {@code 503}. */
  public void drain() {
    draining = true;
  }

  /** Ends every session idle for longer than {@code idle}. */
  public void expire(Duration idle) {
    long now = System.nanoTime();
    for (HttpSession session : sessions.values()) {
      if (now - session.lastUsed() > idle.toNanos() && session.relay().inFlight() == 0) {
        end(session);
      }
    }
  }

  /** Ends every session. */
  public void closeAll() {
    sessions.values().forEach(this::end);
  }

  private void end(HttpSession session) {
    if (sessions.remove(session.id(), session)) {
      closer.execute(session::close);
    }
  }

  /** Handles one exchange. */
  public void handle(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getPath();
      switch (path) {
        case "/healthz" -> text(exchange, 200, "ok\n");
        case "/readyz" -> text(exchange, ready.getAsBoolean() && !draining ? 200 : 503,
            ready.getAsBoolean() && !draining ? "ready\n" : "not ready\n");
        case "/metrics" -> metrics(exchange);
        case RESOURCE_METADATA, RESOURCE_METADATA + ENDPOINT -> resourceMetadata(exchange);
        case ENDPOINT -> mcp(exchange);
        default -> text(exchange, 404, "not found\n");
      }
    } catch (RuntimeException e) {
      LOG.error("the gateway failed on an HTTP request", e);
      text(exchange, 500, "internal error\n");
    }
  }

  private void metrics(HttpExchange exchange) throws IOException {
    String body = metrics == null ? null : metrics.get();
    if (body == null) {
      text(exchange, 404, "no metrics\n");
    } else {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      send(exchange, 200, body);
    }
  }

  private void resourceMetadata(HttpExchange exchange) throws IOException {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    document.put("resource", base(exchange) + ENDPOINT);
    document.putArray("authorization_servers").addAll(authorizationServers.stream()
        .map(JsonNodeFactory.instance::textNode).toList());
    document.putArray("bearer_methods_supported").add("header");
    document.put("resource_name", "Toolgate gateway");
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    send(exchange, 200, JsonRpc.write(document));
  }

  private static String base(HttpExchange exchange) {
    String host = exchange.getRequestHeaders().getFirst("Host");
    if (host == null) {
      host = exchange.getLocalAddress().getHostString() + ":" + exchange.getLocalAddress().getPort();
    }
    return "http://" + host;
  }

  private void mcp(HttpExchange exchange) throws IOException {
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    if (origin != null && !originAllowed(origin)) {
      text(exchange, 403, "origin not allowed\n");
      return;
    }
    CallContext caller = anonymous;
    if (authenticator != null) {
      Authenticator.Result result = authenticator.authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
      if (result instanceof Authenticator.Result.Refused refused) {
        unauthorized(exchange, refused);
        return;
      }
      Authenticator.Result.Known known = (Authenticator.Result.Known) result;
      caller = new CallContext(known.principal(), known.roles(), Map.of(), null);
    }
    String sessionId = exchange.getRequestHeaders().getFirst(SESSION_HEADER);
    HttpSession session = null;
    if (sessionId != null) {
      session = sessions.get(sessionId);
      if (session == null) {
        text(exchange, 404, "no such session\n");
        return;
      }
      if (!java.util.Objects.equals(session.context().principal(), caller.principal())) {
        text(exchange, 403, "this session belongs to another principal\n");
        return;
      }
      session.touch();
    }
    switch (exchange.getRequestMethod()) {
      case "POST" -> post(exchange, caller, session);
      case "GET" -> {
        if (session == null) {
          text(exchange, 400, "GET needs an Mcp-Session-Id\n");
        } else {
          listen(exchange, session);
        }
      }
      case "DELETE" -> {
        if (session == null) {
          text(exchange, 400, "DELETE needs an Mcp-Session-Id\n");
        } else {
          end(session);
          send(exchange, 204, null);
        }
      }
      default -> {
        exchange.getResponseHeaders().set("Allow", "GET, POST, DELETE");
        text(exchange, 405, "method not allowed\n");
      }
    }
  }

  private boolean originAllowed(String origin) {
    if (origins.contains(origin) || origins.contains("*")) {
      return true;
    }
    try {
      String host = URI.create(origin).getHost();
      return origins.isEmpty() && host != null
          && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void unauthorized(HttpExchange exchange, Authenticator.Result.Refused refused) throws IOException {
    StringBuilder challenge = new StringBuilder("Bearer resource_metadata=\"")
        .append(base(exchange)).append(RESOURCE_METADATA).append('"');
    if (refused.error() != null) {
      challenge.append(", error=\"").append(refused.error()).append('"');
    }
    exchange.getResponseHeaders().set("WWW-Authenticate", challenge.toString());
    text(exchange, 401, "unauthorized: " + refused.description() + "\n");
  }

  private void post(HttpExchange exchange, CallContext caller, HttpSession session) throws IOException {
    byte[] body = read(exchange);
    if (body.length > maxMessageBytes) {
      jsonError(exchange, 413, JsonRpc.INVALID_REQUEST, "message over the gateway's limit of " + maxMessageBytes + " bytes");
      return;
    }
    String text = new String(body, StandardCharsets.UTF_8);
    JsonNode json;
    try {
      json = parser.readTree(text);
    } catch (IOException e) {
      jsonError(exchange, 400, JsonRpc.PARSE_ERROR, "message is not JSON (or breaks the gateway's read limits)");
      return;
    }
    boolean request = json != null && json.isObject() && json.has("method") && json.has("id");
    boolean initialize = request && "initialize".equals(json.path("method").asText());
    if (request && !JsonRpc.validId(json.get("id"))) { // the relay could not answer it on its stream
      jsonError(exchange, 400, JsonRpc.INVALID_REQUEST, "a request id must be a string or an integer within +-(2^53-1)");
      return;
    }
    if (draining && (request || session == null)) {
      text(exchange, 503, "the gateway is shutting down\n");
      return;
    }
    if (session == null) {
      if (!initialize) {
        jsonError(exchange, 400, JsonRpc.INVALID_REQUEST, "no Mcp-Session-Id: the first message must be initialize");
        return;
      }
      session = open(exchange, caller);
      if (session == null) {
        return;
      }
    }
    exchange.getResponseHeaders().set(SESSION_HEADER, session.id());
    if (!request) {
      session.relay().fromAgent(text, json);
      if ("notifications/cancelled".equals(json.path("method").asText(null))) {
        session.cancelled(json.path("params").get("requestId"));
      }
      send(exchange, 202, null);
      return;
    }
    HttpSession.Stream stream = new HttpSession.Stream(exchange);
    if (!session.await(json.get("id"), stream)) {
      jsonError(exchange, 400, JsonRpc.INVALID_REQUEST, "a request with this id is already in flight");
      return;
    }
    // This handler's thread has nothing else to do: it carries the request to the server itself.
    // The head goes out once the relay holds the request (so a cancellation the client sends on
    // seeing it finds the request) and before the request reaches the server: the client readies
    // itself for the stream while the call runs (one JSON body at the end was measured slower),
    // and the session may put the server's notifications on it from then on.
    HttpSession current = session;
    HttpUpstream.onThisThread(() -> {
      current.relay().fromAgent(text, json);
      stream.beginQuietly();
      current.flushBacklog();
    });
  }

  /**
   * The request's body, or its first {@code maxMessageBytes + 1} bytes: read to an array of its
   * size when it says a length of at most 64 KiB (a larger one is read as it comes, so that a
   * length declared and never sent costs no more than the bytes that came).
   */
  private byte[] read(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      long declared = -1;
      try {
        declared = length == null ? -1 : Long.parseLong(length);
      } catch (NumberFormatException e) {
        // the server refuses such a head: not reached
      }
      if (declared < 0 || declared > Math.min(maxMessageBytes, 64 * 1024)) {
        return in.readNBytes(maxMessageBytes + 1);
      }
      byte[] body = new byte[(int) declared];
      int read = in.readNBytes(body, 0, body.length);
      return read == body.length ? body : java.util.Arrays.copyOf(body, read);
    }
  }

  private HttpSession open(HttpExchange exchange, CallContext caller) throws IOException {
    if (sessions.size() >= maxSessions) {
      text(exchange, 503, "the gateway has " + maxSessions + " sessions open; try again later\n");
      return null;
    }
    String id = UUID.randomUUID().toString();
    HttpSession session;
    try {
      session = factory.open(id, caller.withSession(id));
    } catch (IOException e) {
      LOG.warn("could not open an upstream session: {}", e.getMessage());
      jsonError(exchange, 502, JsonRpc.UPSTREAM_UNAVAILABLE, "the upstream server could not be started or reached");
      return null;
    }
    sessions.put(id, session);
    return session;
  }

  private void listen(HttpExchange exchange, HttpSession session) throws IOException {
    HttpSession.Stream stream = new HttpSession.Stream(exchange);
    exchange.getResponseHeaders().set(SESSION_HEADER, session.id());
    stream.begin();
    if (!session.listen(stream)) {
      stream.close(); // one stream per session: the client may open it again later
    }
  }

  private static void jsonError(HttpExchange exchange, int status, int code, String message) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    send(exchange, status, JsonRpc.error(null, code, message));
  }

  private static void text(HttpExchange exchange, int status, String body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(exchange, status, body);
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }
}
