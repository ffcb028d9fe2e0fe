package io.toolgate.spring.ai.internal;

import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import java.util.List;
import reactor.core.publisher.Mono;

/** The application's stateless transport, through which the server lists tools per caller. */
public final class GuardedStatelessTransport implements McpStatelessServerTransport {
  private final McpStatelessServerTransport delegate;
  private final ToolsListFilter filter;

  public GuardedStatelessTransport(McpStatelessServerTransport delegate, ToolsListFilter filter) {
    this.delegate = delegate;
    this.filter = filter;
  }

  @Override
  public void setMcpHandler(McpStatelessServerHandler mcpHandler) {
    delegate.setMcpHandler(filter.filter(mcpHandler));
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
