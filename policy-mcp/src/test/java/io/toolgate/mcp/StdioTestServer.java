package io.toolgate.mcp;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.audit.JsonLinesAuditSink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The stdio MCP server {@link McpStdioEndToEndTest} starts as a child process: the test tools,
 * guarded, with one configured principal (stdio carries no identity). Writes its audit to the
 * file named by the first argument. Exits when its parent does.
 */
public final class StdioTestServer {
  private StdioTestServer() {}

  public static void main(String[] args) throws InterruptedException {
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T10:00:30Z"), ZoneOffset.UTC);
    PolicyEngine engine =
        PolicyEngine.builder(Policy.fromResource("mcp-test-policy.yaml"))
            .audit(JsonLinesAuditSink.toFile(Path.of(args[0])))
            .clock(clock)
            .build();
    McpToolGuard guard =
        McpToolGuard.builder(engine).identity(McpIdentityResolver.fixed(CallContext.of("local-agent"))).build();
    McpSyncServer server =
        McpServer.sync(new StdioServerTransportProvider(McpJsonDefaults.getMapper()))
            .serverInfo("stdio-test", "1")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(guard.sync(new TestTools().sync()))
            .addToolFilter(guard.syncListFilter())
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
