package io.toolgate.spring.ai.mcp;

import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.spring.ai.ToolgateIdentityProperties;
import io.toolgate.spring.ai.internal.McpGuards;
import io.toolgate.spring.ai.internal.McpSessionWebFilter;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerAutoConfiguration;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerStdioDisabledCondition;
import org.springframework.ai.mcp.server.common.autoconfigure.properties.McpServerStreamableHttpProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Keeps each session of the WebFlux streamable-HTTP MCP server to the principal that opened it: a
 * {@link McpSessionWebFilter} on the MCP endpoint (after Spring Security's filter chain and the
 * principal filter, before the transport's router), filling the {@link McpSessionOwners} bean that
 * the tool guard reads, with the caller the guard sees. Each condition is stated here too, as a
 * component scan of this package finds this class on its own. Off with {@code
 * toolgate.mcp.session-ownership.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "toolgate.mcp.session-ownership.enabled", matchIfMissing = true)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@Conditional({McpServerStdioDisabledCondition.class, McpServerAutoConfiguration.EnabledStreamableServerCondition.class})
class McpSessionWebFluxConfiguration {
  /** Who opened each session: filled by the filter, read by the tool guard; an application's own wins. */
  @Bean
  @ConditionalOnMissingBean
  McpSessionOwners toolgateMcpSessionOwners() {
    return McpSessionOwners.create();
  }

  @Bean
  @ConditionalOnMissingBean
  McpSessionWebFilter toolgateMcpSessionWebFilter(
      McpSessionOwners owners,
      McpServerStreamableHttpProperties server,
      ToolgateIdentityProperties identity,
      ObjectProvider<McpIdentityResolver> resolver) {
    return new McpSessionWebFilter(
        server.getMcpEndpoint(),
        owners,
        ToolgateMcpWebFluxAutoConfiguration.extractor(identity, resolver),
        McpGuards.identity(resolver.getIfAvailable()));
  }
}
