package io.toolgate.gateway;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import reactor.core.publisher.Mono;

/**
 * An SDK server transport provider around another whose sessions send one message at a time: the
 * server side of {@link OneSenderTransport}. The SDK's {@code StdioServerTransportProvider}
 * (mcp-core 2.1.0) has the same outbound sink and the same 100 ms spin, and a sync server answers
 * each request on a thread of its own, so two answers at once (a call answered while another is
 * answered, as when a cancelled call returns) may lose one when its thread is descheduled.
 */
final class OneSenderServerTransportProvider implements McpServerTransportProvider {
  private final McpServerTransportProvider delegate;

  OneSenderServerTransportProvider(McpServerTransportProvider delegate) {
    this.delegate = delegate;
  }

  @Override
  public void setSessionFactory(McpServerSession.Factory sessions) {
    delegate.setSessionFactory(transport -> sessions.create(new OneSender(transport)));
  }

  @Override
  public Mono<Void> notifyClients(String method, Object params) {
    return delegate.notifyClients(method, params);
  }

  @Override
  public Mono<Void> notifyClient(String sessionId, String method, Object params) {
    return delegate.notifyClient(sessionId, method, params);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public Mono<Void> closeGracefully() {
    return delegate.closeGracefully();
  }

  @Override
  public List<String> protocolVersions() {
    return delegate.protocolVersions();
  }

  /** A session's transport whose sends are subscribed to, and so emitted, one at a time. */
  static final class OneSender implements McpServerTransport {
    private final McpServerTransport delegate;
    private final ReentrantLock sending = new ReentrantLock();

    OneSender(McpServerTransport delegate) {
      this.delegate = delegate;
    }

    /** Whether {@code thread} is waiting for another sender to finish. */
    boolean isWaiting(Thread thread) {
      return sending.hasQueuedThread(thread);
    }

    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
      // the SDK's stdio server transport emits when subscribed to (at once, once it has started):
      // the lock covers the subscription
      return Mono.create(sent -> {
        sending.lock();
        try {
          delegate.sendMessage(message).contextWrite(sent.contextView()).subscribe(null, sent::error, sent::success);
        } finally {
          sending.unlock();
        }
      });
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
}
