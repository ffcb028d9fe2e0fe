package io.toolgate.gateway;

import io.toolgate.api.CallContext;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.gateway.internal.Downstream;
import io.toolgate.gateway.internal.HttpUpstream;
import io.toolgate.gateway.internal.ProcessUpstream;
import io.toolgate.gateway.internal.Relay;
import io.toolgate.gateway.internal.StdioDownstream;
import io.toolgate.gateway.internal.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * One gateway session over stdio: the agent's client on an input and an output stream, the MCP
 * server a child process started from a command or a streamable HTTP URL. Every message passes through unchanged, except
 * that {@code tools/call} is decided by the engine and {@code tools/list} is filtered for the
 * caller (see {@code docs/gateway.md}).
 *
 * <pre>{@code
 * try (Gateway gateway = Gateway.builder(engine, List.of("npx", "some-mcp-server"))
 *     .context(CallContext.of("local-agent"))
 *     .build()) {
 *   gateway.serve(System.in, System.out);   // until the client closes its side
 * }
 * }</pre>
 *
 * <p>The server is restarted with backoff when it exits (requests it had not answered get a
 * JSON-RPC error, and the client's {@code initialize} is replayed to the new server). When the
 * client closes its side, or {@link #close()} is called (on SIGTERM), the gateway drains: new
 * requests get JSON-RPC error {@code -32001}, calls in flight have the {@linkplain
 * Builder#grace grace period} to finish and their responses are written, what is still waiting
 * then gets {@code -32001}, and the server is stopped.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  /** The principal of a stdio session unless another is configured. */
  public static final String DEFAULT_PRINCIPAL = "local-agent";
  /** How many of the client's requests may wait for the server at once, by default. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 256;
  /** The largest message accepted, in bytes, by default: 16 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 << 20;
  /** How long a request waits for the server's response, by default. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(10);
  /** The first delay before the server is started again; it doubles, up to {@link #MAX_RESTART_BACKOFF}. */
  public static final Duration INITIAL_RESTART_BACKOFF = Duration.ofMillis(250);
  /** How long calls in flight may finish on {@link #close()}, by default. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
  /** The longest delay before the server is started again. */
  public static final Duration MAX_RESTART_BACKOFF = Duration.ofSeconds(30);

  private final PolicyEngine engine;
  private final CallContext context;
  private final int maxInFlight;
  private final int maxMessageBytes;
  private final Duration requestTimeout;
  private final Duration grace;
  private final Duration progressPeriod;
  private final Upstream upstream;
  private final ScheduledThreadPoolExecutor timer;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** Completes when {@link #close()} begins to drain (for tests). */
  final CompletableFuture<Void> draining = new CompletableFuture<>();
  private volatile Relay relay;

  private Gateway(Builder b) {
    this.engine = b.engine;
    this.context = b.context.sessionId() != null ? b.context : b.context.withSession(UUID.randomUUID().toString());
    this.maxInFlight = b.maxInFlight;
    this.maxMessageBytes = b.maxMessageBytes;
    this.requestTimeout = b.requestTimeout;
    this.grace = b.grace;
    this.progressPeriod = b.progressPeriod;
    this.upstream = b.newUpstream();
    this.timer = new ScheduledThreadPoolExecutor(1, body -> {
      Thread thread = new Thread(body, "toolgate-gateway-timer");
      thread.setDaemon(true);
      return thread;
    });
    this.timer.setRemoveOnCancelPolicy(true);
  }

  /** A builder for a gateway deciding calls with {@code engine} in front of the server {@code command} starts. */
  public static Builder builder(PolicyEngine engine, List<String> command) {
    return new Builder(engine, command, null);
  }

  /**
   * A builder for a gateway deciding calls with {@code engine} in front of the server at the
   * streamable HTTP endpoint {@code url} (one upstream session per gateway session).
   *
   * @throws IllegalArgumentException if {@code url} is not http or https
   */
  public static Builder builder(PolicyEngine engine, URI url) {
    String scheme = url.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("the upstream URL must be http or https, was " + url);
    }
    return new Builder(engine, List.of(), url);
  }

  /** Who the calls are decided for: the configured principal and roles, with this session's id. */
  public CallContext context() {
    return context;
  }

  /**
   * Starts the server and relays between it and the client on {@code in} and {@code out} until
   * {@code in} ends; then {@linkplain #close() drains and stops} the server.
   *
   * @throws IOException if the server's command cannot be started
   */
  public void serve(InputStream in, OutputStream out) throws IOException {
    StdioDownstream downstream = new StdioDownstream(in, out, maxMessageBytes);
    Relay relay = new Relay(engine, context, upstream, downstream, maxInFlight, maxMessageBytes, requestTimeout, timer,
        progressPeriod);
    this.relay = relay;
    try {
      upstream.start(relay);
      downstream.pump(relay);
    } finally {
      close();
    }
  }

  /** How many times the server was started again after it exited (always 0 for an HTTP upstream). */
  public int restarts() {
    return upstream instanceof ProcessUpstream process ? process.restarts() : 0;
  }

  /**
   * Drains, then stops the server (its stdin is closed first, so it can exit cleanly): from now on
   * the client's requests are answered with JSON-RPC error {@code -32001} and never reach the
   * server; calls in flight have the grace period to finish (their responses are written, their
   * counters settled and their decisions audited); a request still waiting after it is answered
   * with {@code -32001} (a tool call counts as failed). Returns when the server is stopped; a
   * second call waits for the first. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      closed.join();
      return;
    }
    try {
      Relay current = relay;
      if (current != null) {
        CompletableFuture<Void> drained = current.drain();
        draining.complete(null);
        // logged once new requests are refused: whoever reads the log may rely on it
        LOG.info("toolgate-gateway: draining; {} requests in flight may take up to {} ms", current.inFlight(),
            grace.toMillis());
        try {
          drained.get(grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
          current.abandonAll("the gateway is shutting down; the call did not finish within the grace period");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          current.abandonAll("the gateway is shutting down");
        }
      }
      upstream.close();
      timer.shutdownNow();
    } finally {
      closed.complete(null);
    }
  }

  /** Configures a {@link Gateway}. */
  public static final class Builder {
    private final PolicyEngine engine;
    private final List<String> command;
    private final URI url;
    private Map<String, String> headers = Map.of();
    private CallContext context = CallContext.of(DEFAULT_PRINCIPAL);
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration initialBackoff = INITIAL_RESTART_BACKOFF;
    private Duration grace = DEFAULT_GRACE;
    private Duration progressPeriod = Relay.PROGRESS_PERIOD;

    private Builder(PolicyEngine engine, List<String> command, URI url) {
      this.engine = Objects.requireNonNull(engine, "engine");
      this.command = List.copyOf(command);
      this.url = url;
      if (url == null && this.command.isEmpty()) {
        throw new IllegalArgumentException("the upstream command is empty");
      }
    }

    /**
     * Headers sent with every request to an HTTP upstream (the server's own API key, say);
     * default none. Ignored for a command.
     */
    public Builder upstreamHeaders(Map<String, String> headers) {
      this.headers = Map.copyOf(headers);
      return this;
    }

    /**
     * Who every call is decided for (stdio carries no identity); default principal {@value
     * #DEFAULT_PRINCIPAL}. Without a session id, the session gets a random one.
     */
    public Builder context(CallContext context) {
      this.context = Objects.requireNonNull(context, "context");
      return this;
    }

    /**
     * How many of the client's requests may wait for the server at once (default {@value
     * #DEFAULT_MAX_IN_FLIGHT}); past it a request gets a JSON-RPC error at once.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * The largest message accepted from either side, in bytes (default 16 MiB); a longer line is
     * skipped without being held in memory (from the client: answered with a JSON-RPC error).
     *
     * @throws IllegalArgumentException if less than 1,024
     */
    public Builder maxMessageBytes(int maxMessageBytes) {
      if (maxMessageBytes < 1024) {
        throw new IllegalArgumentException("maxMessageBytes must be at least 1024, was " + maxMessageBytes);
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * How long a request waits for the server (default 10 minutes); then the client gets a
     * JSON-RPC error, the server a {@code notifications/cancelled}, and a tool call counts as failed.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder requestTimeout(Duration requestTimeout) {
      if (requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * The first delay before an exited server is started again (default 250 ms); it doubles at
     * each exit up to 30 seconds, and starts over after a server that ran for a minute.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder restartBackoff(Duration initialBackoff) {
      if (initialBackoff.isNegative()) {
        throw new IllegalArgumentException("restartBackoff must not be negative, was " + initialBackoff);
      }
      this.initialBackoff = initialBackoff;
      return this;
    }

    /**
     * How long calls in flight may take to finish when the client closes its side or the gateway
     * is {@linkplain Gateway#close() closed} (default 10 seconds); then they are answered with an
     * error. Used by a stdio gateway; {@link GatewayServer} has its own.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder grace(Duration grace) {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("grace must not be negative, was " + grace);
      }
      this.grace = grace;
      return this;
    }

    /**
     * How often a call held for an approval sends the client a progress notification (default
     * 10 seconds); for tests.
     */
    Builder progressPeriod(Duration period) {
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("progressPeriod must be positive, was " + period);
      }
      this.progressPeriod = period;
      return this;
    }

    /** Builds the gateway; its server starts with {@link Gateway#serve}. */
    public Gateway build() {
      return new Gateway(this);
    }

    /** A new upstream session as configured: a child process or an HTTP session. */
    Upstream newUpstream() {
      return url != null
          ? new HttpUpstream(url, headers, maxMessageBytes)
          : new ProcessUpstream(command, maxMessageBytes, maxInFlight + 1024, initialBackoff, MAX_RESTART_BACKOFF);
    }

    /** A relay for one session, with these settings. */
    Relay newRelay(CallContext context, Upstream upstream, Downstream downstream, ScheduledExecutorService timer) {
      return new Relay(engine, context, upstream, downstream, maxInFlight, maxMessageBytes, requestTimeout, timer,
          progressPeriod);
    }

    PolicyEngine engine() {
      return engine;
    }

    CallContext context() {
      return context;
    }

    int maxMessageBytes() {
      return maxMessageBytes;
    }
  }
}
