package io.toolgate.spring.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.mcp.McpCancellation;
import io.toolgate.mcp.McpSessionFilter;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.spring.ai.internal.McpGuards;
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

/** When the starter keeps WebMVC MCP sessions to their openers, and when it leaves that out. */
class McpSessionOwnershipConfigurationTest {
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
  void streamableWebMvcGetsTheFilterOnItsEndpointAndTheGuardSharesItsOwners() {
    runner.withPropertyValues("spring.ai.mcp.server.streamable-http.mcp-endpoint=/agents/mcp").run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(McpSessionOwners.class);
      FilterRegistrationBean<?> filter = context.getBean("toolgateMcpSessionFilter", FilterRegistrationBean.class);
      assertThat(filter.getFilter()).isInstanceOf(McpSessionFilter.class);
      assertThat(filter.getUrlPatterns()).containsExactly("/agents/mcp");
      FilterRegistrationBean<?> cancellation =
          context.getBean("toolgateMcpCancellationFilter", FilterRegistrationBean.class);
      assertThat(filter.getOrder()).as("ownership first").isLessThan(cancellation.getOrder());
      assertThat(context.getBean(McpGuards.class).sessionOwners()).isSameAs(context.getBean(McpSessionOwners.class));
    });
  }

  @Test
  void theUsersOwnOwnersAreTheOnesFilledAndRead() {
    McpSessionOwners own = McpSessionOwners.builder().maximumSessions(10).build();
    runner.withBean("myOwners", McpSessionOwners.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(McpSessionOwners.class);
      assertThat(context.getBean(McpGuards.class).sessionOwners()).isSameAs(own);
      assertThat(context).hasBean("toolgateMcpSessionFilter");
    });
  }

  @Test
  void theUsersOwnFilterRegistrationIsKept() {
    FilterRegistrationBean<McpSessionFilter> own =
        new FilterRegistrationBean<>(McpSessionFilter.of(McpSessionOwners.create(), request -> null));
    runner.withBean("toolgateMcpSessionFilter", FilterRegistrationBean.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean("toolgateMcpSessionFilter")).isSameAs(own);
    });
  }

  @Test
  void offByPropertyTheGuardKeepsItsOwnOwnersAndCancellationStays() {
    runner.withPropertyValues("toolgate.mcp.session-ownership.enabled=false").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(McpSessionOwners.class);
      assertThat(context).doesNotHaveBean("toolgateMcpSessionFilter");
      assertThat(context.getBean(McpGuards.class).sessionOwners()).isNull();
      assertThat(context).hasSingleBean(McpCancellation.class);
    });
  }

  @Test
  void noFilterWhereThereAreNoSessionsOrNoServlets() {
    runner.withPropertyValues("spring.ai.mcp.server.protocol=STATELESS").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(McpSessionOwners.class);
      assertThat(context).doesNotHaveBean("toolgateMcpSessionFilter");
    });
    runner.withPropertyValues("toolgate.mcp.enabled=false").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(McpSessionOwners.class);
      assertThat(context).doesNotHaveBean("toolgateMcpSessionFilter");
    });
    new ReactiveWebApplicationContextRunner().withConfiguration(MCP)
        .withPropertyValues("spring.ai.mcp.server.protocol=STREAMABLE")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("toolgateMcpSessionFilter"));
  }
}
