package io.toolgate.spring.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.server.McpStatelessSyncServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

/** {@link McpServerSecurityTest}'s checks on the stateless Spring AI MCP server (WebMVC). */
@SpringBootTest(
    classes = McpServerSecurityTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.ai.mcp.server.protocol=STATELESS", "spring.ai.mcp.server.name=quant"})
class McpStatelessServerSecurityTest extends McpServerSecurityTest {
  @Autowired ApplicationContext context;

  @Test
  void theServerUnderTestIsThisKind() {
    assertThat(context.getBeansOfType(McpStatelessSyncServer.class)).hasSize(1);
  }
}
