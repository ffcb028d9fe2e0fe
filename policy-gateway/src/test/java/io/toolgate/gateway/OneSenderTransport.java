package io.toolgate.gateway;

import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * An SDK client transport around another that lets one thread send at a time.
 *
 * <p>The SDK's {@link StdioClientTransport} (mcp-core 2.1.0) puts every outgoing message into one
 * Reactor unicast sink from the sender's own thread, within {@code sendMessage}, and tolerates a
 * second sender only by spinning for 100 ms ({@code EmitFailureHandler.busyLooping}). A client
 * sends from two threads whenever the server asks it something: the answer to
 * {@code sampling/createMessage} or {@code roots/list} goes out on a Reactor thread while the test's
 * thread sends its next request. When the answering thread is descheduled inside the sink for
 * longer than the spin (a loaded two-core machine), the next request fails with "Failed to enqueue
 * message" (a {@code Sinks.EmissionException}: "signaled serially"). This lock makes the second
 * sender wait instead, with every message still sent, in the order the senders got the lock.
 */
final class OneSenderTransport implements McpClientTransport {
  private final McpClientTransport delegate;
  private final ReentrantLock sending = new ReentrantLock();

  OneSenderTransport(McpClientTransport delegate) {
    this.delegate = delegate;
  }

  /** The SDK's stdio client transport running {@code params}, one sender at a time. */
  static OneSenderTransport stdio(ServerParameters params) {
    return new OneSenderTransport(new StdioClientTransport(params, McpJsonDefaults.getMapper()));
  }

  /** Whether {@code thread} is waiting for another sender to finish. */
  boolean isWaiting(Thread thread) {
    return sending.hasQueuedThread(thread);
  }

  @Override
  public Mono<Void> sendMessage(JSONRPCMessage message) {
    // the SDK's stdio transport emits in this call, not on subscription: the lock covers the emission
    sending.lock();
    try {
      return delegate.sendMessage(message);
    } finally {
      sending.unlock();
    }
  }

  @Override
  public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
    return delegate.connect(handler);
  }

  @Override
  public void setExceptionHandler(Consumer<Throwable> handler) {
    delegate.setExceptionHandler(handler);
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
