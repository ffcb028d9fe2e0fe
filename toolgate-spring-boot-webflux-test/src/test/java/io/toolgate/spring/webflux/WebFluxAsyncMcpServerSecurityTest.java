package io.toolgate.spring.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import org.junit.jupiter.api.Test;
import org.springframework.ai.mcp.server.webflux.transport.WebFluxStreamableServerTransportProvider;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext;

/** {@link WebFluxMcpServerSecurityTest}'s checks on the async Spring AI MCP server (WebFlux, streamable HTTP). */
@SpringBootTest(
    classes = WebFluxMcpServerSecurityTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.ai.mcp.server.protocol=STREAMABLE",
      "spring.ai.mcp.server.type=ASYNC",
      "spring.ai.mcp.server.name=quant",
      "toolgate.policy=classpath:io/toolgate/spring/webflux/policy.yaml"
    })
class WebFluxAsyncMcpServerSecurityTest extends WebFluxMcpServerSecurityTest {
  @Test
  @Override
  void theServerUnderTestIsThisKind() {
    assertThat(context).isInstanceOf(ReactiveWebApplicationContext.class);
    assertThat(context.getBeansOfType(McpAsyncServer.class)).hasSize(1);
    assertThat(context.getBean(McpStreamableServerTransportProvider.class))
        .isNotInstanceOf(WebFluxStreamableServerTransportProvider.class);
  }
}
