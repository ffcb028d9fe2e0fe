package io.toolgate.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpAsyncListFilter;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpSyncListFilter;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.internal.GuardedCalls;
import io.toolgate.mcp.internal.HeldCall;
import io.toolgate.mcp.internal.Refusals;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Puts a {@link PolicyEngine} in front of the tools of a server built on the official MCP Java
 * SDK. The SDK has no interceptor; the guard wraps each tool specification's call handler, so
 * every {@code tools/call} is decided, run only if allowed, counted and audited (with the MCP
 * session id), and a tool that throws or returns {@code isError: true} counts as failed for
 * {@code refund_on_error}.
 *
 * <pre>{@code
 * McpToolGuard guard = McpToolGuard.of(engine);        // identity from the transport context
 * McpSyncServer server = McpServer.sync(transport)
 *     .tools(guard.sync(tools))                        // every tool guarded, in one call
 *     .addToolFilter(guard.syncListFilter())           // tools/list shows what the caller may call
 *     .build();
 * server.addTool(guard.guard(lateTool));               // tools added at run time
 * }</pre>
 *
 * <p>A refused call reaches the agent as a {@code CallToolResult} with {@code isError: true}, the
 * decision's one-line reason as its text and the structured decision in {@code _meta} under
 * {@link #META_KEY}: {@code kind} ({@code deny}, {@code rate_limited}, {@code approval_required}),
 * {@code tool}, {@code rule}, {@code reason}, and {@code counter}, {@code retryAfterSeconds}
 * (rounded up) and {@code retryAfterMillis} for a rate limit, {@code approvalId} for a held call.
 * {@link Builder#refusalsAsErrors(boolean)} sends a JSON-RPC error instead (code {@link
 * #ERROR_CODE}, the reason as message, the same map as {@code data}).
 *
 * <p>Sessions belong to the principal that opened them: a call made in an MCP session another
 * principal opened is refused (rule {@code session}) before the policy is asked, so it never uses
 * that session's counters. See {@link Builder#sessionOwners} and {@link McpSessionFilter}.
 * Stateless servers have no sessions.
 *
 * <p>Hidden tools: the list filters drop every tool {@link PolicyEngine#isListed} says the caller
 * should not see, and the guarded handlers deny such a tool when it is called anyway (the SDK's
 * filters only hide; they do not stop calls).
 *
 * <p>Each call reaches the engine with its {@link io.toolgate.api.CallEnvelope} (side {@code
 * SERVER}, method {@code tools/call}, the MCP session id, and the request's {@code params._meta}
 * read on demand), so an observer such as {@code policy-opentelemetry}'s can parent its span on
 * the {@code traceparent} the client sent. The SDK does not hand tool handlers the JSON-RPC request
 * id, so the envelope has none.
 *
 * <p>A call held for an approval ({@code require_approval} with {@code wait}) on a stateful server
 * sends its client {@code notifications/progress} every {@link #PROGRESS_PERIOD}, from the moment
 * it is held until its decision is made, when the request carried a {@code progressToken}
 * (stateless servers cannot notify): {@code progress} the fraction of the wait that has passed
 * (below 1), no {@code total}, and none after the decision. With {@link McpCancellation} in front
 * of the streamable HTTP transport (on stdio, around the server's input: {@link
 * McpCancellation#stdio(java.io.InputStream, McpToolGuard)}), the client's {@code
 * notifications/cancelled} for a held call
 * withdraws its approval request and the tool never runs, even when it lands between an approval
 * and the tool's start (the call then ends with JSON-RPC error {@code -32800}).
 *
 * <p>Immutable and thread-safe.
 */
public final class McpToolGuard {
  /** The {@code _meta} key of the structured decision in a refused call's result. */
  public static final String META_KEY = Refusals.META_KEY;

  /** The JSON-RPC error code of a refusal when refusals are sent as errors. */
  public static final int ERROR_CODE = Refusals.ERROR_CODE;

  /** How often the client of a call held for an approval hears progress: every 10 seconds. */
  public static final Duration PROGRESS_PERIOD = Duration.ofSeconds(10);

  private final PolicyEngine engine;
  private final McpIdentityResolver identity;
  private final McpSessionOwners sessionOwners;
  private final Function<Decision, CallToolResult> onRefusal;
  private final GuardedCalls calls;

  private McpToolGuard(Builder b) {
    this.engine = b.engine;
    this.identity = b.identity;
    this.sessionOwners = b.sessionOwners != null ? b.sessionOwners : McpSessionOwners.create();
    this.onRefusal =
        b.asErrors
            ? decision -> {
              throw Refusals.error(decision);
            }
            : Refusals::result;
    this.calls = new GuardedCalls(engine, onRefusal, b.progressPeriod);
  }

  /**
   * A guard that reads the caller from the transport context ({@link
   * McpIdentityResolver#fromTransportContext()}) and answers refusals with error results.
   */
  public static McpToolGuard of(PolicyEngine engine) {
    return builder(engine).build();
  }

  /** A builder for a guard in front of {@code engine}. */
  public static Builder builder(PolicyEngine engine) {
    return new Builder(engine);
  }

  /** The engine deciding the calls. */
  public PolicyEngine engine() {
    return engine;
  }

  // ---- stateful servers (McpServer.sync / McpServer.async) -------------------------------------

  /** Every tool of a synchronous server, guarded, in the same order. */
  public List<McpServerFeatures.SyncToolSpecification> sync(
      List<McpServerFeatures.SyncToolSpecification> tools) {
    return tools.stream().map(this::guard).toList();
  }

  /** Every tool of an asynchronous (Reactor) server, guarded, in the same order. */
  public List<McpServerFeatures.AsyncToolSpecification> async(
      List<McpServerFeatures.AsyncToolSpecification> tools) {
    return tools.stream().map(this::guard).toList();
  }

  /** One synchronous tool, guarded: for {@code McpSyncServer.addTool} at run time. */
  public McpServerFeatures.SyncToolSpecification guard(McpServerFeatures.SyncToolSpecification tool) {
    BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler = handlerOf(tool.callHandler());
    return new McpServerFeatures.SyncToolSpecification(
        tool.tool(),
        (exchange, request) -> {
          McpTransportContext transportContext = contextOf(exchange.transportContext());
          CallContext context = identity.resolve(transportContext, exchange.sessionId());
          Decision foreign = foreignSession(request, context);
          if (foreign != null) {
            return onRefusal.apply(foreign);
          }
          // sent on a bounded-elastic thread, under the held call's lock: blocking is fine there
          HeldCall held = calls.heldCall(request, exchange::progressNotification, transportContext);
          return calls.callSync(request, context, held, () -> handler.apply(exchange, request));
        });
  }

  /** One asynchronous tool, guarded: for {@code McpAsyncServer.addTool} at run time. */
  public McpServerFeatures.AsyncToolSpecification guard(McpServerFeatures.AsyncToolSpecification tool) {
    BiFunction<McpAsyncServerExchange, CallToolRequest, Mono<CallToolResult>> handler = handlerOf(tool.callHandler());
    return new McpServerFeatures.AsyncToolSpecification(
        tool.tool(),
        (exchange, request) ->
            Mono.defer(
                () -> {
                  McpTransportContext transportContext = contextOf(exchange.transportContext());
                  CallContext context = identity.resolve(transportContext, exchange.sessionId());
                  Decision foreign = foreignSession(request, context);
                  if (foreign != null) {
                    return Mono.fromSupplier(() -> onRefusal.apply(foreign));
                  }
                  HeldCall held = calls.heldCall(request, // as for sync: sent and finished before the decision
                      notification -> exchange.progressNotification(notification).block(), transportContext);
                  return calls.callAsync(request, context, held, () -> handler.apply(exchange, request));
                }));
  }

  // ---- stateless servers ----------------------------------------------------------------------

  /** Every tool of a stateless synchronous server, guarded. Stateless calls have no session id. */
  public List<McpStatelessServerFeatures.SyncToolSpecification> statelessSync(
      List<McpStatelessServerFeatures.SyncToolSpecification> tools) {
    return tools.stream().map(this::guard).toList();
  }

  /** Every tool of a stateless asynchronous server, guarded. Stateless calls have no session id. */
  public List<McpStatelessServerFeatures.AsyncToolSpecification> statelessAsync(
      List<McpStatelessServerFeatures.AsyncToolSpecification> tools) {
    return tools.stream().map(this::guard).toList();
  }

  /** One stateless synchronous tool, guarded: for {@code McpStatelessSyncServer.addTool}. */
  public McpStatelessServerFeatures.SyncToolSpecification guard(
      McpStatelessServerFeatures.SyncToolSpecification tool) {
    BiFunction<McpTransportContext, CallToolRequest, CallToolResult> handler = handlerOf(tool.callHandler());
    return new McpStatelessServerFeatures.SyncToolSpecification(
        tool.tool(),
        (transportContext, request) -> {
          CallContext context = identity.resolve(contextOf(transportContext), null);
          HeldCall held = calls.heldCall(request, null, contextOf(transportContext));
          return calls.callSync(request, context, held, () -> handler.apply(transportContext, request));
        });
  }

  /** One stateless asynchronous tool, guarded: for {@code McpStatelessAsyncServer.addTool}. */
  public McpStatelessServerFeatures.AsyncToolSpecification guard(
      McpStatelessServerFeatures.AsyncToolSpecification tool) {
    BiFunction<McpTransportContext, CallToolRequest, Mono<CallToolResult>> handler = handlerOf(tool.callHandler());
    return new McpStatelessServerFeatures.AsyncToolSpecification(
        tool.tool(),
        (transportContext, request) ->
            Mono.defer(
                () -> {
                  CallContext context = identity.resolve(contextOf(transportContext), null);
                  HeldCall held = calls.heldCall(request, null, contextOf(transportContext));
                  return calls.callAsync(request, context, held, () -> handler.apply(transportContext, request));
                }));
  }

  // ---- tools/list -----------------------------------------------------------------------------

  /**
   * A {@code tools/list} filter for synchronous servers (stateful or stateless): a tool is listed
   * when {@link PolicyEngine#isListed} says so for the caller the transport context names. It
   * only hides; the guarded handlers still deny a hidden tool that is called by name.
   */
  public McpSyncListFilter<Tool> syncListFilter() {
    return (transportContext, tool) -> isListed(transportContext, tool);
  }

  /** {@link #syncListFilter()} for asynchronous servers (stateful or stateless). */
  public McpAsyncListFilter<Tool> asyncListFilter() {
    return (transportContext, tool) -> Mono.fromSupplier(() -> isListed(transportContext, tool));
  }

  private boolean isListed(McpTransportContext transportContext, Tool tool) {
    return engine.isListed(tool.name(), identity.resolve(contextOf(transportContext), null));
  }

  /**
   * A refusal when the call's MCP session was opened by another principal (the session's
   * counters are its opener's); {@code null} when the session is the caller's or there is none.
   */
  private Decision foreignSession(CallToolRequest request, CallContext context) {
    String sessionId = context.sessionId();
    if (sessionId == null || sessionOwners.claim(sessionId, context.principal())) {
      return null;
    }
    return Refusals.foreignSession(GuardedCalls.call(request).tool(), context.principal());
  }

  /** Whether this guard's policy, as it is now, may hold a call of {@code tool}. */
  boolean mayHold(String tool) {
    return calls.mayHold(tool);
  }

  private static McpTransportContext contextOf(McpTransportContext transportContext) {
    return transportContext == null ? McpTransportContext.EMPTY : transportContext;
  }

  private static <T> T handlerOf(T handler) {
    return Objects.requireNonNull(handler, "the tool specification has no call handler");
  }

  @Override
  public String toString() {
    return "McpToolGuard[" + engine.policy() + "]";
  }

  /** Configures a {@link McpToolGuard}. */
  public static final class Builder {
    private final PolicyEngine engine;
    private McpIdentityResolver identity = McpIdentityResolver.fromTransportContext();
    private McpSessionOwners sessionOwners;
    private boolean asErrors;
    private Duration progressPeriod = PROGRESS_PERIOD;

    private Builder(PolicyEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
    }

    /**
     * Who is calling; default {@link McpIdentityResolver#fromTransportContext()}. On stdio use
     * {@link McpIdentityResolver#fixed} with the principal the process runs as.
     */
    public Builder identity(McpIdentityResolver identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /**
     * Who opened each MCP session; default a new {@link McpSessionOwners} of this guard's own, in
     * which a session belongs to the first principal that calls a tool in it. Pass the instance
     * that a {@link McpSessionFilter} fills, so that a session belongs to the principal whose
     * {@code initialize} opened it.
     */
    public Builder sessionOwners(McpSessionOwners sessionOwners) {
      this.sessionOwners = Objects.requireNonNull(sessionOwners, "sessionOwners");
      return this;
    }

    /**
     * Whether a refused call is answered with a JSON-RPC error ({@code true}) instead of a tool
     * result with {@code isError: true} (default). Models see error results and can act on the
     * reason; JSON-RPC errors usually reach the client application instead.
     */
    public Builder refusalsAsErrors(boolean asErrors) {
      this.asErrors = asErrors;
      return this;
    }

    /** How often a held call's client hears progress; {@link #PROGRESS_PERIOD} but in tests. */
    Builder progressPeriod(Duration period) {
      this.progressPeriod = Objects.requireNonNull(period, "period");
      return this;
    }

    public McpToolGuard build() {
      return new McpToolGuard(this);
    }
  }
}
