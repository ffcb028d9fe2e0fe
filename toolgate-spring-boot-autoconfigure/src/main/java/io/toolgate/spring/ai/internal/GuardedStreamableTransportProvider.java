package io.toolgate.spring.ai.internal;

import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.util.List;
import reactor.core.publisher.Mono;

/** The application's streamable transport, through which the server's sessions list tools per caller. */
public final class GuardedStreamableTransportProvider implements McpStreamableServerTransportProvider {
  private final McpStreamableServerTransportProvider delegate;
  private final ToolsListFilter filter;

  public GuardedStreamableTransportProvider(McpStreamableServerTransportProvider delegate, ToolsListFilter filter) {
    this.delegate = delegate;
    this.filter = filter;
  }

  @Override
  public void setSessionFactory(McpStreamableServerSession.Factory sessionFactory) {
    delegate.setSessionFactory(filter.filter(sessionFactory));
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
  public Mono<Void> closeGracefully() {
    return delegate.closeGracefully();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public List<String> protocolVersions() {
    return delegate.protocolVersions();
  }
}
