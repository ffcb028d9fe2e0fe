package io.toolgate.mcp;

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
import io.toolgate.mcp.internal.Refusals;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 */
public final class PolicyClientTransport implements McpClientTransport {
  private static final TypeRef<CallToolRequest> CALL_TOOL_REQUEST = new TypeRef<>() {};
  private static final TypeRef<McpSchema.CallToolResult> CALL_TOOL_RESULT = new TypeRef<>() {};
  private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {};

  private final McpClientTransport delegate;
  private final PolicyEngine engine;
  private final Supplier<CallContext> context;
  private final Map<Object, CompletableFuture<JSONRPCResponse>> inFlight = new ConcurrentHashMap<>();
  private volatile Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler;

  private PolicyClientTransport(McpClientTransport delegate, PolicyEngine engine, Supplier<CallContext> context) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.context = Objects.requireNonNull(context, "context");
  }

  /** {@code delegate}, with every outgoing tool call decided for {@code context}. */
  public static PolicyClientTransport wrap(McpClientTransport delegate, PolicyEngine engine, CallContext context) {
    Objects.requireNonNull(context, "context");
    return new PolicyClientTransport(delegate, engine, () -> context);
  }

  /**
   * {@code delegate}, with every outgoing tool call decided for the context {@code context}
   * supplies at the time of the call (for a runtime whose current user or session changes).
   */
  public static PolicyClientTransport wrap(
      McpClientTransport delegate, PolicyEngine engine, Supplier<CallContext> context) {
    return new PolicyClientTransport(delegate, engine, context);
  }

  @Override
  public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
    this.handler = handler;
    return delegate.connect(incoming -> handler.apply(incoming.doOnNext(this::settle)));
  }

  @Override
  public Mono<Void> sendMessage(JSONRPCMessage message) {
    if (!(message instanceof JSONRPCRequest)
        || !McpSchema.METHOD_TOOLS_CALL.equals(((JSONRPCRequest) message).method())) {
      return delegate.sendMessage(message);
    }
    JSONRPCRequest request = (JSONRPCRequest) message;
    return Mono.defer(
        () -> {
          ToolCall call = toolCall(request);
          CallContext caller = Objects.requireNonNull(context.get(), "the context supplier returned null");
          CompletableFuture<Void> sent = new CompletableFuture<>();
          engine
              .callAsync(
                  call,
                  caller,
                  () -> forward(request, sent),
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
    inFlight.put(request.id(), response);
    delegate
        .sendMessage(request)
        .subscribe(
            ignored -> {},
            error -> {
              inFlight.remove(request.id());
              response.completeExceptionally(error);
              sent.completeExceptionally(error);
            },
            () -> sent.complete(null));
    return response;
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
    if (message instanceof JSONRPCResponse) {
      JSONRPCResponse response = (JSONRPCResponse) message;
      CompletableFuture<JSONRPCResponse> waiting = inFlight.remove(response.id());
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
    inFlight.values().forEach(waiting -> waiting.complete(null));
    inFlight.clear();
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
}
