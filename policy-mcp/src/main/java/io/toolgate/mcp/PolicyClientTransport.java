package io.toolgate.mcp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCRequest;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.internal.McpEnvelopes;
import io.toolgate.mcp.internal.Refusals;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * An {@link McpClientTransport} that applies a policy to the client's own outgoing {@code
 * tools/call} requests before they leave the process: for agent runtimes that police what they
 * call, whatever the server does.
 *
 * <pre>{@code
 * McpClientTransport transport = PolicyClientTransport.wrap(
 *     HttpClientStreamableHttpTransport.builder("http://127.0.0.1:8080").build(),
 *     engine, CallContext.of("research-agent"));
 * McpSyncClient client = McpClient.sync(transport).build();
 * }</pre>
 *
 * <p>A refused call is never sent: the client receives a synthetic response, a {@code
 * CallToolResult} with {@code isError: true}, the reason as text and the decision in {@code _meta}
 * under {@link McpToolGuard#META_KEY}, exactly as a guarded server would answer. An allowed call
 * is sent; its counters are committed when the server's response arrives, or refunded (for
 * {@code refund_on_error} limits) when the response is an error or an {@code isError} result, or
 * when the request cannot be sent. Every decision is audited with the context's principal and
 * session. Every other message passes through untouched.
 *
 * <p>A sent call waits for its response at most {@link Builder#responseTimeout} (default 10
 * minutes), and at most {@link Builder#maxInFlight} calls wait at once (default {@value
 * #DEFAULT_MAX_IN_FLIGHT}, the oldest giving way): a call whose response does not come in time,
 * or that gives way, counts as failed (refunded for {@code refund_on_error} limits), and a response
 * arriving after that is passed on to the client without touching the counters. So requests that
 * never get a response cannot grow the transport's memory. Every call is settled through {@link
 * PolicyEngine#callAsync}; a call that expires is settled on Caffeine's executor (the common
 * pool), not on the transport's thread.
 *
 * <p>Each call reaches the engine with its {@link io.toolgate.api.CallEnvelope} (side {@code
 * CLIENT}, method {@code tools/call}, the JSON-RPC request id). Entries an observer adds to it
 * while the call is decided (a tracer's {@code traceparent} and {@code tracestate}) are written
 * into the request's {@code params._meta}, over entries of the same name, before it is sent; when
 * none are added the request is sent as it came, never copied.
 */
public final class PolicyClientTransport implements McpClientTransport {
  private static final TypeRef<CallToolRequest> CALL_TOOL_REQUEST = new TypeRef<>() {};
  private static final TypeRef<McpSchema.CallToolResult> CALL_TOOL_RESULT = new TypeRef<>() {};
  private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {};

  /** How many sent calls wait for their response at most, by default. */
  public static final long DEFAULT_MAX_IN_FLIGHT = 10_000;

  /** How long a sent call waits for its response at most, by default. */
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofMinutes(10);

  private final McpClientTransport delegate;
  private final PolicyEngine engine;
  private final Supplier<CallContext> context;
  /** Sent calls by request id, each settled by its response, or as failed when it expires. */
  private final Cache<Object, CompletableFuture<JSONRPCResponse>> inFlight;
  private volatile Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler;

  private PolicyClientTransport(Builder b) {
    this.delegate = b.delegate;
    this.engine = b.engine;
    this.context = Objects.requireNonNull(b.context, "context");
    Caffeine<Object, Object> caffeine =
        Caffeine.newBuilder()
            .maximumSize(b.maxInFlight)
            .expireAfterWrite(b.responseTimeout)
            .scheduler(b.scheduler);
    if (b.ticker != null) {
      caffeine.ticker(b.ticker);
    }
    if (b.executor != null) {
      caffeine.executor(b.executor);
    }
    this.inFlight =
        caffeine
            .<Object, CompletableFuture<JSONRPCResponse>>removalListener(
                (id, waiting, cause) -> {
                  // timed out, gave way to newer calls, or replaced by a request reusing its id:
                  // no response will settle it, so it counts as failed (settle() removes EXPLICITly)
                  if (waiting != null && cause != RemovalCause.EXPLICIT) {
                    waiting.complete(null);
                  }
                })
            .build();
  }

  /** {@code delegate}, with every outgoing tool call decided for {@code context}. */
  public static PolicyClientTransport wrap(McpClientTransport delegate, PolicyEngine engine, CallContext context) {
    return builder(delegate, engine).context(context).build();
  }

  /**
   * {@code delegate}, with every outgoing tool call decided for the context {@code context}
   * supplies at the time of the call (for a runtime whose current user or session changes).
   */
  public static PolicyClientTransport wrap(
      McpClientTransport delegate, PolicyEngine engine, Supplier<CallContext> context) {
    return builder(delegate, engine).context(context).build();
  }

  /** A builder for {@code delegate} with its tool calls decided by {@code engine}. */
  public static Builder builder(McpClientTransport delegate, PolicyEngine engine) {
    return new Builder(delegate, engine);
  }

  @Override
  public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
    this.handler = handler;
    return delegate.connect(incoming -> handler.apply(incoming.doOnNext(this::settle)));
  }

  @Override
  public Mono<Void> sendMessage(JSONRPCMessage message) {
    if (!(message instanceof JSONRPCRequest request) || !McpSchema.METHOD_TOOLS_CALL.equals(request.method())) {
      return delegate.sendMessage(message);
    }
    return Mono.defer(
        () -> {
          // Only an observed engine gets an envelope, the one place observers add trace context.
          McpEnvelopes.Outgoing envelope = engine.isObserved() ? McpEnvelopes.outgoing(request.id()) : null;
          ToolCall call = envelope == null ? toolCall(request) : toolCall(request).withEnvelope(envelope);
          CallContext caller = Objects.requireNonNull(context.get(), "the context supplier returned null");
          CompletableFuture<Void> sent = new CompletableFuture<>();
          engine
              .callAsync(
                  call,
                  caller,
                  () -> forward(withMetadata(request, envelope), sent),
                  decision -> refuse(request, decision, sent),
                  this::failed)
              .whenComplete(
                  (response, error) -> {
                    if (error != null) {
                      sent.completeExceptionally(error);
                    }
                  });
          return Mono.fromFuture(sent);
        });
  }

  private CompletableFuture<JSONRPCResponse> forward(JSONRPCRequest request, CompletableFuture<Void> sent) {
    CompletableFuture<JSONRPCResponse> response = new CompletableFuture<>();
    Object id = request.id();
    if (id != null) {
      inFlight.put(id, response);
    }
    delegate
        .sendMessage(request)
        .subscribe(
            ignored -> {},
            error -> {
              if (id != null) {
                inFlight.asMap().remove(id, response);
              }
              response.completeExceptionally(error);
              sent.completeExceptionally(error);
            },
            () -> {
              sent.complete(null);
              if (id == null) {
                response.complete(null); // no id, no response to wait for: counts as failed
              }
            });
    return response;
  }

  /**
   * {@code request} with the metadata observers added to its envelope in its {@code _meta} (a
   * tracer's {@code traceparent}); {@code request} itself, untouched, when they added none or the
   * engine has no observers ({@code envelope} null).
   */
  private JSONRPCRequest withMetadata(JSONRPCRequest request, McpEnvelopes.Outgoing envelope) {
    if (envelope == null || !envelope.hasAdditions()) {
      return request;
    }
    Map<String, Object> params = envelope.addTo(delegate.unmarshalFrom(request.params(), MAP));
    return new JSONRPCRequest(request.jsonrpc(), request.method(), request.id(), params);
  }

  private JSONRPCResponse refuse(JSONRPCRequest request, Decision decision, CompletableFuture<Void> sent) {
    Map<String, Object> result = delegate.unmarshalFrom(Refusals.result(decision), MAP);
    JSONRPCResponse response = new JSONRPCResponse(McpSchema.JSONRPC_VERSION, request.id(), result, null);
    Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> current = handler;
    sent.complete(null);
    if (current != null) {
      current.apply(Mono.just(response)).subscribe(ignored -> {}, error -> {});
    }
    return response;
  }

  private void settle(JSONRPCMessage message) {
    if (message instanceof JSONRPCResponse response && response.id() != null) {
      CompletableFuture<JSONRPCResponse> waiting = inFlight.asMap().remove(response.id());
      if (waiting != null) {
        waiting.complete(response);
      }
    }
  }

  private boolean failed(JSONRPCResponse response) {
    if (response == null || response.error() != null) {
      return true;
    }
    try {
      return Refusals.failed(delegate.unmarshalFrom(response.result(), CALL_TOOL_RESULT));
    } catch (RuntimeException e) {
      return true;
    }
  }

  private ToolCall toolCall(JSONRPCRequest request) {
    CallToolRequest params;
    try {
      params = delegate.unmarshalFrom(request.params(), CALL_TOOL_REQUEST);
    } catch (RuntimeException e) {
      params = null;
    }
    if (params == null || params.name() == null) {
      return ToolCall.of("");
    }
    return ToolCall.of(params.name(), params.arguments());
  }

  @Override
  public void setExceptionHandler(Consumer<Throwable> handler) {
    delegate.setExceptionHandler(handler);
  }

  @Override
  public Mono<Void> closeGracefully() {
    return delegate.closeGracefully().doFinally(signal -> abandonInFlight());
  }

  @Override
  public void close() {
    try {
      delegate.close();
    } finally {
      abandonInFlight();
    }
  }

  /** Calls still waiting for their response when the transport closes count as failed. */
  private void abandonInFlight() {
    inFlight.asMap().values().forEach(waiting -> waiting.complete(null));
    inFlight.invalidateAll();
  }

  /** How many sent calls wait for a response now, after expiring those that timed out. */
  long inFlight() {
    inFlight.cleanUp();
    return inFlight.estimatedSize();
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
    return delegate.unmarshalFrom(data, typeRef);
  }

  @Override
  public List<String> protocolVersions() {
    return delegate.protocolVersions();
  }

  @Override
  public String toString() {
    return "PolicyClientTransport[" + delegate + "]";
  }

  /** Configures a {@link PolicyClientTransport}. */
  public static final class Builder {
    private final McpClientTransport delegate;
    private final PolicyEngine engine;
    private Supplier<CallContext> context;
    private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
    private long maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private Scheduler scheduler = Scheduler.systemScheduler();
    private Ticker ticker;
    private Executor executor;

    private Builder(McpClientTransport delegate, PolicyEngine engine) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      this.engine = Objects.requireNonNull(engine, "engine");
    }

    /** Every call is decided for {@code context}. Required (this or the supplier form). */
    public Builder context(CallContext context) {
      Objects.requireNonNull(context, "context");
      this.context = () -> context;
      return this;
    }

    /** Every call is decided for the context {@code context} supplies at the time of the call. */
    public Builder context(Supplier<CallContext> context) {
      this.context = Objects.requireNonNull(context, "context");
      return this;
    }

    /**
     * How long a sent call waits for its response before it counts as failed (default 10
     * minutes); set it above the client's own request timeout.
     *
     * @throws IllegalArgumentException if {@code responseTimeout} is not positive
     */
    public Builder responseTimeout(Duration responseTimeout) {
      Objects.requireNonNull(responseTimeout, "responseTimeout");
      if (responseTimeout.isNegative() || responseTimeout.isZero()) {
        throw new IllegalArgumentException("responseTimeout must be positive, was " + responseTimeout);
      }
      this.responseTimeout = responseTimeout;
      return this;
    }

    /**
     * How many sent calls wait for a response at most (default {@value #DEFAULT_MAX_IN_FLIGHT});
     * past it, the oldest counts as failed.
     *
     * @throws IllegalArgumentException if {@code maxInFlight} is less than 1
     */
    public Builder maxInFlight(long maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** For tests: the time source of the response timeout, and no timer of its own. */
    Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      this.scheduler = Scheduler.disabledScheduler();
      return this;
    }

    /** For tests: where expired calls are settled. */
    Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The transport.
     *
     * @throws NullPointerException if no context was given
     */
    public PolicyClientTransport build() {
      return new PolicyClientTransport(this);
    }
  }
}
