package io.toolgate.spring.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.server.McpAsyncServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

/** {@link McpServerSecurityTest}'s checks on the async Spring AI MCP server (WebMVC, streamable HTTP). */
@SpringBootTest(
    classes = McpServerSecurityTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.ai.mcp.server.protocol=STREAMABLE", "spring.ai.mcp.server.type=ASYNC",
        "spring.ai.mcp.server.name=quant"})
class McpAsyncServerSecurityTest extends McpServerSecurityTest {
  @Autowired ApplicationContext context;

  @Test
  void theServerUnderTestIsThisKind() {
    assertThat(context.getBeansOfType(McpAsyncServer.class)).hasSize(1);
  }
}
