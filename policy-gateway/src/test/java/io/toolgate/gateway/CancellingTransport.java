package io.toolgate.gateway;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * An SDK client transport around another that remembers the ids of the {@code tools/call}
 * requests the client sends, and sends the client's {@code notifications/cancelled} for one of
 * them on the same transport (the SDK's client has no call for it).
 */
final class CancellingTransport implements McpClientTransport {
  private final McpClientTransport delegate;
  private final BlockingQueue<Object> toolCalls = new LinkedBlockingQueue<>();

  CancellingTransport(McpClientTransport delegate) {
    this.delegate = delegate;
  }

  /** The id of the next {@code tools/call} the client sent (waits up to a minute). */
  Object nextToolCallId() throws InterruptedException {
    Object id = toolCalls.poll(60, TimeUnit.SECONDS);
    if (id == null) {
      throw new AssertionError("the client sent no tools/call within a minute");
    }
    return id;
  }

  /** Sends {@code notifications/cancelled} for request {@code id}, as the client would. */
  void cancel(Object id) {
    delegate.sendMessage(new McpSchema.JSONRPCNotification(McpSchema.JSONRPC_VERSION, "notifications/cancelled",
        Map.of("requestId", id, "reason", "the user gave up"))).block(Duration.ofSeconds(60));
  }

  @Override
  public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
    return delegate.connect(handler);
  }

  @Override
  public void setExceptionHandler(Consumer<Throwable> handler) {
    delegate.setExceptionHandler(handler);
  }

  @Override
  public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
    if (message instanceof McpSchema.JSONRPCRequest request && "tools/call".equals(request.method())) {
      toolCalls.add(request.id());
    }
    return delegate.sendMessage(message);
  }

  @Override
  public Mono<Void> closeGracefully() {
    return delegate.closeGracefully();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
    return delegate.unmarshalFrom(data, typeRef);
  }

  @Override
  public List<String> protocolVersions() {
    return delegate.protocolVersions();
  }
}
