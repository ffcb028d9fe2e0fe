package io.toolgate.spring.ai.mcp;

import io.toolgate.mcp.McpCancellation;
import org.springframework.ai.mcp.server.common.autoconfigure.properties.McpServerStreamableHttpProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Lets a client's {@code notifications/cancelled} withdraw a {@code tools/call} held for an
 * approval on the WebMVC streamable-HTTP MCP server: the {@link McpCancellation} filter on the MCP
 * endpoint, ordered {@link ToolgateMcpServerAutoConfiguration#CANCELLATION_FILTER_ORDER} (after
 * Spring Security's filter chain), and the transport's context extractor wrapped by it (in {@link
 * ToolgateMcpServerAutoConfiguration}). Off with {@code toolgate.mcp.cancellation.enabled=false};
 * an application's own {@code McpCancellation} bean is used instead of a new one.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "toolgate.mcp.cancellation.enabled", matchIfMissing = true)
class McpCancellationConfiguration {
  @Bean
  @ConditionalOnMissingBean
  McpCancellation toolgateMcpCancellation() {
    return McpCancellation.create();
  }

  @Bean
  @ConditionalOnMissingBean(name = "toolgateMcpCancellationFilter")
  FilterRegistrationBean<McpCancellation> toolgateMcpCancellationFilter(
      McpCancellation cancellation, McpServerStreamableHttpProperties server) {
    FilterRegistrationBean<McpCancellation> registration = new FilterRegistrationBean<>(cancellation);
    registration.setName("toolgateMcpCancellation");
    registration.addUrlPatterns(server.getMcpEndpoint());
    registration.setOrder(ToolgateMcpServerAutoConfiguration.CANCELLATION_FILTER_ORDER);
    return registration;
  }
}
