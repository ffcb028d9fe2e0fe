package io.toolgate.spring.ai.internal;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpRequestHandler;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.spec.DefaultMcpStreamableServerSessionFactory;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCNotification;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCRequest;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.ListToolsResult;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Filters {@code tools/list} per caller on the MCP SDK 2.0 servers that Spring AI 2.0 builds.
 *
 * <p>SDK 2.0 has no list filter (2.1's {@code addToolFilter} is what {@code McpToolGuard}'s list
 * filters plug into). A stateless server hands its transport a {@link McpStatelessServerHandler},
 * which is wrapped here. A stateful streamable server hands its transport a {@link
 * DefaultMcpStreamableServerSessionFactory} whose request handlers every session shares; the
 * {@code tools/list} handler in that map is replaced by one that filters its answer. That map is
 * not public API, so it is reached by reflection, once at startup; if the SDK changes it, startup
 * fails with a message naming {@code toolgate.mcp.filter-tools-list}, never silently unfiltered.
 */
public final class ToolsListFilter {
  private final McpGuards guards;

  public ToolsListFilter(McpGuards guards) {
    this.guards = guards;
  }

  /** The session factory, with its shared {@code tools/list} handler filtered. */
  public McpStreamableServerSession.Factory filter(McpStreamableServerSession.Factory factory) {
    if (!(factory instanceof DefaultMcpStreamableServerSessionFactory)) {
      throw unsupported(factory.getClass().getName());
    }
    try {
      Field field = DefaultMcpStreamableServerSessionFactory.class.getDeclaredField("requestHandlers");
      field.setAccessible(true);
      @SuppressWarnings("unchecked")
      Map<String, McpRequestHandler<?>> handlers = (Map<String, McpRequestHandler<?>>) field.get(factory);
      McpRequestHandler<?> list = handlers == null ? null : handlers.get(McpSchema.METHOD_TOOLS_LIST);
      if (list != null) {
        Map<String, McpRequestHandler<?>> replaced = new HashMap<>(handlers);
        replaced.put(McpSchema.METHOD_TOOLS_LIST, filtered(list));
        field.set(factory, replaced);
      }
      return factory;
    } catch (ReflectiveOperationException | RuntimeException e) {
      IllegalStateException failure = unsupported(DefaultMcpStreamableServerSessionFactory.class.getName());
      failure.initCause(e);
      throw failure;
    }
  }

  private McpRequestHandler<Object> filtered(McpRequestHandler<?> list) {
    return (exchange, params) ->
        list.handle(exchange, params)
            .map(result -> result instanceof ListToolsResult tools ? guards.filter(tools, exchange.transportContext()) : result);
  }

  /** The stateless server's handler, with {@code tools/list} answers filtered. */
  public McpStatelessServerHandler filter(McpStatelessServerHandler handler) {
    return new McpStatelessServerHandler() {
      @Override
      public Mono<JSONRPCResponse> handleRequest(McpTransportContext context, JSONRPCRequest request) {
        Mono<JSONRPCResponse> response = handler.handleRequest(context, request);
        if (!McpSchema.METHOD_TOOLS_LIST.equals(request.method())) {
          return response;
        }
        return response.map(
            r -> r.result() instanceof ListToolsResult tools
                ? new JSONRPCResponse(r.jsonrpc(), r.id(), guards.filter(tools, context), r.error())
                : r);
      }

      @Override
      public Mono<Void> handleNotification(McpTransportContext context, JSONRPCNotification notification) {
        return handler.handleNotification(context, notification);
      }
    };
  }

  private static IllegalStateException unsupported(String what) {
    return new IllegalStateException(
        "Toolgate cannot filter tools/list per caller on this MCP server (" + what + " is not the session"
            + " factory of MCP Java SDK 2.0). Set toolgate.mcp.filter-tools-list=false to run with every"
            + " tool listed; calls are still guarded.");
  }
}
