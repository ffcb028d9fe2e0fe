package io.toolgate.spring.ai.mcp;

import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpSessionFilter;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.spring.ai.ToolgateIdentityProperties;
import io.toolgate.spring.ai.internal.McpGuards;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerAutoConfiguration;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerStdioDisabledCondition;
import org.springframework.ai.mcp.server.common.autoconfigure.properties.McpServerStreamableHttpProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Keeps each session of the WebMVC streamable-HTTP MCP server to the principal that opened it:
 * {@link McpSessionFilter} on the MCP endpoint, ordered {@link
 * ToolgateMcpServerAutoConfiguration#SESSION_FILTER_ORDER} (after Spring Security's filter chain,
 * before the {@code McpCancellation} filter, so a cancellation never reaches another principal's
 * session), filling the {@link McpSessionOwners} bean that the tool guard reads. The filter sees the
 * caller the guard sees: the same Spring Security mapping, the same {@link McpIdentityResolver}
 * fallback. Each condition is stated here too, as a component scan of this package finds this
 * class on its own. Off with {@code toolgate.mcp.session-ownership.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "toolgate.mcp.session-ownership.enabled", matchIfMissing = true)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Conditional({McpServerStdioDisabledCondition.class, McpServerAutoConfiguration.EnabledStreamableServerCondition.class})
class McpSessionOwnershipConfiguration {
  /** Who opened each session: filled by the filter, read by the tool guard; an application's own wins. */
  @Bean
  @ConditionalOnMissingBean
  McpSessionOwners toolgateMcpSessionOwners() {
    return McpSessionOwners.create();
  }

  @Bean
  @ConditionalOnMissingBean(name = "toolgateMcpSessionFilter")
  FilterRegistrationBean<McpSessionFilter> toolgateMcpSessionFilter(
      McpSessionOwners owners,
      McpServerStreamableHttpProperties server,
      ToolgateIdentityProperties identity,
      ObjectProvider<McpIdentityResolver> resolver) {
    McpSessionFilter filter = McpSessionFilter.of(
        owners,
        ToolgateMcpServerAutoConfiguration.extractor(identity, resolver).servlet(),
        McpGuards.identity(resolver.getIfAvailable()));
    FilterRegistrationBean<McpSessionFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("toolgateMcpSessionFilter");
    registration.addUrlPatterns(server.getMcpEndpoint());
    registration.setOrder(ToolgateMcpServerAutoConfiguration.SESSION_FILTER_ORDER);
    return registration;
  }
}
