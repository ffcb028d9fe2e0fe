package io.toolgate.gateway;

import io.toolgate.api.CallContext;
import io.toolgate.gateway.internal.Authenticator;
import io.toolgate.gateway.internal.Http1Server;
import io.toolgate.gateway.internal.HttpFront;
import io.toolgate.gateway.internal.HttpSession;
import io.toolgate.gateway.internal.Relay;
import io.toolgate.gateway.internal.TokenFile;
import io.toolgate.gateway.internal.Upstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The gateway serving MCP over streamable HTTP at {@code http://<address>/mcp}: one session per
 * {@code Mcp-Session-Id}, each with its own upstream session (a child process, or a session with
 * an HTTP server), owned by the principal that opened it. Identity comes from a token file and/or
 * bearer JWTs; without either, every caller is the configured principal (for a loopback address).
 *
 * <pre>{@code
 * try (GatewayServer server = GatewayServer.builder(Gateway.builder(engine, List.of("npx", "some-server")))
 *     .listen(new InetSocketAddress("127.0.0.1", 8080))
 *     .tokenFile(Path.of("tokens.txt"))
 *     .start()) {
 *   server.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>Also served: {@code /healthz} (the process is up), {@code /readyz} (the last upstream
 * session answered {@code initialize}, and the server is not draining), {@code /metrics} (when a source is given) and {@code
 * /.well-known/oauth-protected-resource} (RFC 9728).
 */
public final class GatewayServer implements AutoCloseable {
  /** How many sessions may be open at once, by default. */
  public static final int DEFAULT_MAX_SESSIONS = 64;
  /** How long a session may stay idle before it is ended, by default. */
  public static final Duration DEFAULT_SESSION_IDLE = Duration.ofMinutes(30);
  /** How long in-flight calls may take to finish on {@link #close()}, by default. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

  /** How many client connections may be open at once, by default (past it: {@code 503}). */
  public static final int DEFAULT_MAX_CONNECTIONS = 512;

  private final Gateway.Builder sessions;
  private final Http1Server http;
  private final HttpFront front;
  private final ScheduledThreadPoolExecutor timer;
  private final ExecutorService workers;
  private final Duration grace;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
  private volatile boolean upstreamReady = true;

  private GatewayServer(Builder b) throws IOException {
    this.sessions = b.sessions;
    this.grace = b.grace;
    this.timer = new ScheduledThreadPoolExecutor(1, daemon("toolgate-gateway-timer"));
    this.timer.setRemoveOnCancelPolicy(true);
    this.workers = Executors.newCachedThreadPool(daemon("toolgate-gateway-http"));
    CallContext anonymous = sessions.context();
    this.front = new HttpFront(this::open, b.authenticator(), anonymous, java.util.Set.copyOf(b.origins), b.authorizationServers,
        b.maxSessions, sessions.maxMessageBytes(), () -> upstreamReady, b.metrics, workers);
    java.util.Map<String, com.sun.net.httpserver.HttpHandler> handlers = new java.util.HashMap<>();
    handlers.put("/", front::handle);
    if (b.inbox != null) {
      handlers.put(b.inbox.mountPath(), new io.toolgate.approvals.ApprovalInboxHandler(b.inbox));
    }
    this.http = new Http1Server(b.address, 64, Http1Server.Limits.DEFAULT.withMaxConnections(b.maxConnections), handlers);
    Duration idle = b.sessionIdle;
    timer.scheduleWithFixedDelay(() -> front.expire(idle), 1, 1, TimeUnit.MINUTES);
  }

  /** A builder for a server whose sessions are configured by {@code sessions} (engine, upstream, limits). */
  public static Builder builder(Gateway.Builder sessions) {
    return new Builder(sessions);
  }

  private HttpSession open(String id, CallContext context) throws IOException {
    Upstream upstream = sessions.newUpstream();
    upstream.onReadiness(ok -> upstreamReady = ok);
    HttpSession session = new HttpSession(id, context, upstream, workers);
    Relay relay = sessions.newRelay(context, upstream, session, timer);
    try {
      session.start(relay);
    } catch (IOException e) {
      upstreamReady = false;
      upstream.close();
      throw e;
    }
    return session;
  }

  /** The address the server listens on (with the port it got, if 0 was asked for). */
  public InetSocketAddress address() {
    return http.address();
  }

  /** The MCP endpoint, {@code http://host:port/mcp}. */
  public URI endpoint() {
    InetSocketAddress address = address();
    return URI.create("http://" + address.getHostString() + ":" + address.getPort() + HttpFront.ENDPOINT);
  }

  /** The sessions open now. */
  public int sessionCount() {
    return front.sessionCount();
  }

  /** The client requests waiting for the server now, over every session. */
  public int inFlight() {
    return front.inFlight();
  }

  /**
   * Stops taking new sessions and new requests: they get {@code 503}, and {@code /readyz} says
   * not ready; calls in flight go on. The first step of {@link #close()}.
   */
  public void drain() {
    front.drain();
  }

  /** Blocks until {@link #close()} has run. */
  public void awaitShutdown() throws InterruptedException {
    stopped.await();
  }

  /**
   * Stops taking new sessions and requests ({@code 503}), lets calls in flight finish for up to
   * the grace period, then ends every session (a call still waiting is answered with an error by
   * its relay's upstream going away) and stops listening. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    front.drain();
    long deadline = System.nanoTime() + grace.toNanos();
    while (front.inFlight() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20); // polling a count the relays keep; a shutdown path, not a test
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    front.closeAll();
    http.stop(Duration.ofSeconds(1));
    timer.shutdownNow();
    workers.shutdown();
    stopped.countDown();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return body -> {
      Thread thread = new Thread(body, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Configures a {@link GatewayServer}. */
  public static final class Builder {
    private final Gateway.Builder sessions;
    private InetSocketAddress address = new InetSocketAddress("127.0.0.1", 8080);
    private final List<Authenticator> authenticators = new ArrayList<>();
    private List<String> origins = List.of();
    private List<String> authorizationServers = List.of();
    private int maxSessions = DEFAULT_MAX_SESSIONS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Duration sessionIdle = DEFAULT_SESSION_IDLE;
    private Duration grace = DEFAULT_GRACE;
    private Supplier<String> metrics;
    private io.toolgate.approvals.ApprovalInbox inbox;

    private Builder(Gateway.Builder sessions) {
      this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    /** Where to listen (default 127.0.0.1:8080; port 0 picks a free one). */
    public Builder listen(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Callers prove who they are with bearer tokens listed (as SHA-256 hashes) in {@code file}:
     * lines of {@code sha256:<hex> principal [role...]}.
     *
     * @throws IllegalArgumentException if the file cannot be read or has a bad line
     */
    public Builder tokenFile(Path file) {
      authenticators.add(TokenFile.load(file));
      return this;
    }

    /**
     * Also serves {@code inbox} at its mount path (e.g. {@code /approvals}), outside the MCP
     * endpoint's authentication: the inbox signs in its own approvers.
     */
    public Builder approvalsInbox(io.toolgate.approvals.ApprovalInbox inbox) {
      this.inbox = Objects.requireNonNull(inbox, "inbox");
      return this;
    }

    /** Callers may also prove who they are with a bearer JWT, verified by {@code verifier}. */
    public Builder jwt(JwtVerifier verifier) {
      authenticators.add(verifier.authenticator());
      return this;
    }

    /**
     * Origins allowed to call (exact {@code scheme://host[:port]}, or {@code *}); default: only
     * loopback origins. A request without {@code Origin} (not from a browser) is not checked.
     */
    public Builder allowedOrigins(List<String> origins) {
      this.origins = List.copyOf(origins);
      return this;
    }

    /** The authorization servers named in the protected-resource metadata (RFC 9728); default none. */
    public Builder authorizationServers(List<String> servers) {
      this.authorizationServers = List.copyOf(servers);
      return this;
    }

    /**
     * How many sessions may be open at once (default {@value #DEFAULT_MAX_SESSIONS}); past it,
     * {@code initialize} gets {@code 503}.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxSessions(int maxSessions) {
      if (maxSessions < 1) {
        throw new IllegalArgumentException("maxSessions must be at least 1, was " + maxSessions);
      }
      this.maxSessions = maxSessions;
      return this;
    }

    /**
     * How many client connections may be open at once (default {@value #DEFAULT_MAX_CONNECTIONS});
     * past it, a new connection gets {@code 503} and is closed. Each open connection holds a thread.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /** How long a session with nothing in flight may stay idle before it is ended (default 30 minutes). */
    public Builder sessionIdle(Duration idle) {
      if (idle.isNegative() || idle.isZero()) {
        throw new IllegalArgumentException("sessionIdle must be positive, was " + idle);
      }
      this.sessionIdle = idle;
      return this;
    }

    /** How long calls in flight may take to finish when the server closes (default 10 seconds). */
    public Builder grace(Duration grace) {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("grace must not be negative, was " + grace);
      }
      this.grace = grace;
      return this;
    }

    /** What {@code /metrics} serves (Prometheus text); default none ({@code 404}). */
    public Builder metrics(Supplier<String> scrape) {
      this.metrics = scrape;
      return this;
    }

    Authenticator authenticator() {
      if (authenticators.isEmpty()) {
        return null;
      }
      List<Authenticator> all = List.copyOf(authenticators);
      return authorization -> {
        Authenticator.Result last = null;
        for (Authenticator each : all) {
          last = each.authenticate(authorization);
          if (last instanceof Authenticator.Result.Known) {
            return last;
          }
        }
        return last;
      };
    }

    /**
     * Starts listening.
     *
     * @throws IOException if the address cannot be bound
     */
    public GatewayServer start() throws IOException {
      return new GatewayServer(this);
    }
  }
}
