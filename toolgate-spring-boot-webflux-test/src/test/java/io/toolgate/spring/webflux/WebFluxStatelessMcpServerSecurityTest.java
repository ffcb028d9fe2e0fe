package io.toolgate.spring.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import org.junit.jupiter.api.Test;
import org.springframework.ai.mcp.server.webflux.transport.WebFluxStatelessServerTransport;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext;

/** {@link WebFluxMcpServerSecurityTest}'s checks on the stateless Spring AI MCP server (WebFlux). */
@SpringBootTest(
    classes = WebFluxMcpServerSecurityTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.ai.mcp.server.protocol=STATELESS",
      "spring.ai.mcp.server.name=quant",
      "toolgate.policy=classpath:io/toolgate/spring/webflux/policy.yaml"
    })
class WebFluxStatelessMcpServerSecurityTest extends WebFluxMcpServerSecurityTest {
  @Test
  @Override
  void theServerUnderTestIsThisKind() {
    assertThat(context).isInstanceOf(ReactiveWebApplicationContext.class);
    assertThat(context.getBeansOfType(McpStatelessSyncServer.class)).hasSize(1);
    assertThat(context.getBeansOfType(WebFluxStatelessServerTransport.class)).hasSize(1);
    assertThat(context.getBean(McpStatelessServerTransport.class))
        .isNotInstanceOf(WebFluxStatelessServerTransport.class);
  }
}
