package io.toolgate.benchmarks.gateway;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The upstream of the gateway benchmark: a plain MCP SDK server with one tool, {@code echo}, that
 * answers at once. Over streamable HTTP it runs in an embedded Tomcat on 127.0.0.1 with keep-alive
 * (connections are reused, as a production server's are); over stdio it is this class's {@link
 * #main}, run as a child process.
 */
public final class EchoServers {
  private EchoServers() {}

  /** The stdio server: exits when its stdin ends or its parent goes away. */
  public static void main(String[] args) throws InterruptedException {
    // Immediate execution: each call is answered on the thread that read it. Answered from several
    // threads at once, the SDK's (2.1.0) stdio transport drops an answer now and then on a loaded
    // machine ("Failed to enqueue message" after busy-looping 100 ms on its outbound sink).
    McpSyncServer server = echo(McpServer.sync(new StdioServerTransportProvider(McpJsonDefaults.getMapper())))
        .immediateExecution(true).build();
    ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
    while (parent == null || parent.isAlive()) {
      Thread.sleep(500);
    }
    server.close();
    System.exit(0);
  }

  /** {@code spec} with the {@code echo} tool. */
  static <S extends McpServer.SyncSpecification<S>> S echo(S spec) {
    spec.serverInfo("echo-upstream", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build());
    spec.toolCall(Tool.builder("echo", Map.of("type", "object")).description("answers with its arguments").build(),
            (exchange, request) -> CallToolResult.builder()
                .content(List.of(new McpSchema.TextContent("echo " + request.arguments()))).build());
    return spec;
  }

  /** The echo server over streamable HTTP at {@code /mcp}, in an embedded Tomcat on 127.0.0.1 and a free port. */
  static final class Http implements AutoCloseable {
    private final Tomcat tomcat = new Tomcat();
    private final Connector connector = new Connector();
    private final McpSyncServer server;

    Http() {
      java.util.logging.Logger.getLogger("org.apache").setLevel(java.util.logging.Level.SEVERE);
      try {
        tomcat.setBaseDir(Files.createTempDirectory("toolgate-bench-tomcat").toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      connector.setProperty("maxKeepAliveRequests", "-1");
      connector.setProperty("keepAliveTimeout", "120000");
      tomcat.getService().addConnector(connector);
      tomcat.setConnector(connector);
      Context context = tomcat.addContext("", null);
      HttpServletStreamableServerTransportProvider transport =
          HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp").build();
      server = echo(McpServer.sync(transport)).build();
      Tomcat.addServlet(context, "mcp", transport).setAsyncSupported(true);
      context.addServletMapping("/mcp", "mcp");
      try {
        tomcat.start();
      } catch (LifecycleException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The base URL, {@code http://127.0.0.1:<port>}; the endpoint is {@code /mcp}. */
    String url() {
      return "http://127.0.0.1:" + connector.getLocalPort();
    }

    @Override
    public void close() throws LifecycleException {
      server.close();
      tomcat.stop();
      tomcat.destroy();
    }
  }
}
