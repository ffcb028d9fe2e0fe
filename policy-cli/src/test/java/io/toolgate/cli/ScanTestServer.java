package io.toolgate.cli;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;

/**
 * An MCP SDK server on stdio that {@link ScanCommandTest} runs as a child process: the tool set
 * named by the first argument ({@link ScanTools}). Exits when its parent does or its stdin closes.
 */
public final class ScanTestServer {
  private ScanTestServer() {}

  public static void main(String[] args) throws InterruptedException {
    McpSyncServer server =
        McpServer.sync(new StdioServerTransportProvider(McpJsonDefaults.getMapper()))
            .serverInfo("scan-test", "1")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(ScanTools.specifications(args[0]))
            .build();
    // The transport reads stdin on its own threads; stay up until the parent goes away.
    ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
    while (parent == null || parent.isAlive()) {
      Thread.sleep(200);
    }
    server.close();
    System.exit(0);
  }
}
