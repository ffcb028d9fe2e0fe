package io.toolgate.spring.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.mcp.McpCancellation;
import org.junit.jupiter.api.Test;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerAutoConfiguration;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerJsonMapperAutoConfiguration;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerStatelessAutoConfiguration;
import org.springframework.ai.mcp.server.webmvc.autoconfigure.McpServerStatelessWebMvcAutoConfiguration;
import org.springframework.ai.mcp.server.webmvc.autoconfigure.McpServerStreamableHttpWebMvcAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/** When the starter wires {@link McpCancellation}, and when it leaves it out. */
class McpCancellationConfigurationTest {
  private static final AutoConfigurations MCP = AutoConfigurations.of(
      ToolgateMcpServerAutoConfiguration.class,
      McpServerJsonMapperAutoConfiguration.class,
      McpServerAutoConfiguration.class,
      McpServerStatelessAutoConfiguration.class,
      McpServerStreamableHttpWebMvcAutoConfiguration.class,
      McpServerStatelessWebMvcAutoConfiguration.class);

  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner().withConfiguration(MCP).withPropertyValues("spring.ai.mcp.server.protocol=STREAMABLE");

  @Test
  void streamableWebMvcGetsTheFilterOnItsEndpoint() {
    runner.withPropertyValues("spring.ai.mcp.server.streamable-http.mcp-endpoint=/agents/mcp").run(context -> {
      assertThat(context).hasSingleBean(McpCancellation.class);
      FilterRegistrationBean<?> filter = context.getBean("toolgateMcpCancellationFilter", FilterRegistrationBean.class);
      assertThat(filter.getFilter()).isSameAs(context.getBean(McpCancellation.class));
      assertThat(filter.getUrlPatterns()).containsExactly("/agents/mcp");
    });
  }

  @Test
  void theUsersOwnCancellationIsTheOneRegistered() {
    McpCancellation own = McpCancellation.create();
    runner.withBean("myCancellation", McpCancellation.class, () -> own).run(context -> {
      assertThat(context).hasSingleBean(McpCancellation.class);
      assertThat(context.getBean("toolgateMcpCancellationFilter", FilterRegistrationBean.class).getFilter())
          .isSameAs(own);
    });
  }

  @Test
  void offByPropertyAndWhereThereAreNoSessions() {
    runner.withPropertyValues("toolgate.mcp.cancellation.enabled=false").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(McpCancellation.class);
      assertThat(context).doesNotHaveBean("toolgateMcpCancellationFilter");
    });
    runner.withPropertyValues("spring.ai.mcp.server.protocol=STATELESS").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(McpCancellation.class);
    });
    new ReactiveWebApplicationContextRunner().withConfiguration(MCP)
        .withPropertyValues("spring.ai.mcp.server.protocol=STREAMABLE")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(McpCancellation.class));
  }
}
