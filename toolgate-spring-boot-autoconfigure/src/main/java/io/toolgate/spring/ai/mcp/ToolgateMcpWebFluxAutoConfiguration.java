package io.toolgate.spring.ai.mcp;

import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.spring.ai.ToolgateIdentityProperties;
import io.toolgate.spring.ai.internal.GuardedStatelessTransport;
import io.toolgate.spring.ai.internal.GuardedStreamableTransportProvider;
import io.toolgate.spring.ai.internal.McpGuards;
import io.toolgate.spring.ai.internal.McpPrincipalWebFilter;
import io.toolgate.spring.ai.internal.ReactiveIdentityExtractor;
import io.toolgate.spring.ai.internal.SecurityIdentity;
import io.toolgate.spring.ai.internal.ToolsListFilter;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerAutoConfiguration;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerStatelessAutoConfiguration;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerStdioDisabledCondition;
import org.springframework.ai.mcp.server.common.autoconfigure.properties.McpServerStreamableHttpProperties;
import org.springframework.ai.mcp.server.webflux.transport.WebFluxStatelessServerTransport;
import org.springframework.ai.mcp.server.webflux.transport.WebFluxStreamableServerTransportProvider;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.web.server.WebFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The WebFlux side of {@link ToolgateMcpServerAutoConfiguration}, in a reactive web application
 * with Spring AI's WebFlux MCP transport: it defines the streamable-HTTP or stateless transport
 * (Spring AI's backs off) with the caller read from the request's Spring Security {@code
 * Authentication} (resolved from the reactive security context by a {@link McpPrincipalWebFilter}
 * and carried in the MCP transport context, the same mapping as on WebMVC), else from the
 * application's {@link McpIdentityResolver} bean (the request's headers under {@link
 * ToolgateMcpServerAutoConfiguration#HEADERS_KEY}), else anonymous; and with {@code tools/list}
 * filtered per caller; on streamable HTTP, each session serves only the principal that opened it
 * ({@link McpSessionWebFluxConfiguration}). The tools themselves are guarded by {@link ToolgateMcpServerAutoConfiguration},
 * whatever the transport. A servlet application is not touched (each nested configuration says so
 * too, as a component scan of this package finds them on their own).
 */
@AutoConfiguration(
    after = ToolgateMcpServerAutoConfiguration.class,
    beforeName = {
      "org.springframework.ai.mcp.server.common.autoconfigure.McpServerAutoConfiguration",
      "org.springframework.ai.mcp.server.common.autoconfigure.McpServerStatelessAutoConfiguration",
      "org.springframework.ai.mcp.server.webflux.autoconfigure.McpServerStreamableHttpWebFluxAutoConfiguration",
      "org.springframework.ai.mcp.server.webflux.autoconfigure.McpServerStatelessWebFluxAutoConfiguration"
    })
@ConditionalOnClass({McpServerFeatures.class, McpToolGuard.class, McpServerAutoConfiguration.class, WebFilter.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "toolgate.mcp.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ToolgateMcpProperties.class, ToolgateIdentityProperties.class})
public class ToolgateMcpWebFluxAutoConfiguration {

  static ReactiveIdentityExtractor extractor(
      ToolgateIdentityProperties identity, ObjectProvider<McpIdentityResolver> resolver) {
    return new ReactiveIdentityExtractor(
        new SecurityIdentity(identity.getRolePrefixes()),
        resolver.getIfAvailable() != null ? ToolgateMcpServerAutoConfiguration.HEADERS_KEY : null);
  }

  /** The WebFlux streamable-HTTP transport, with the caller read from Spring Security. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebFluxStreamableServerTransportProvider.class)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @Conditional({
    McpServerStdioDisabledCondition.class,
    McpServerAutoConfiguration.EnabledStreamableServerCondition.class
  })
  @EnableConfigurationProperties(McpServerStreamableHttpProperties.class)
  @Import(McpSessionWebFluxConfiguration.class)
  static class StreamableWebFlux {
    @Bean
    @ConditionalOnMissingBean
    WebFluxStreamableServerTransportProvider webFluxStreamableServerTransportProvider(
        @Qualifier("mcpServerJsonMapper") JsonMapper jsonMapper,
        McpServerStreamableHttpProperties server,
        ToolgateIdentityProperties identity,
        ObjectProvider<McpIdentityResolver> resolver) {
      return WebFluxStreamableServerTransportProvider.builder()
          .jsonMapper(new JacksonMcpJsonMapper(jsonMapper))
          .messageEndpoint(server.getMcpEndpoint())
          .keepAliveInterval(server.getKeepAliveInterval())
          .disallowDelete(server.isDisallowDelete())
          .contextExtractor(extractor(identity, resolver))
          .build();
    }

    /** Keeps each MCP request's principal for the transport's extractor. */
    @Bean
    McpPrincipalWebFilter toolgateMcpStreamablePrincipalWebFilter(McpServerStreamableHttpProperties server) {
      return new McpPrincipalWebFilter(server.getMcpEndpoint());
    }

    /** What the MCP server is built on: the transport, with tools/list filtered per caller. */
    @Bean
    @Primary
    @ConditionalOnBooleanProperty(name = "toolgate.mcp.filter-tools-list", matchIfMissing = true)
    McpStreamableServerTransportProvider toolgateWebFluxStreamableTransport(
        WebFluxStreamableServerTransportProvider transport, McpGuards guards) {
      return new GuardedStreamableTransportProvider(transport, new ToolsListFilter(guards));
    }
  }

  /** The WebFlux stateless transport, with the caller read from Spring Security. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebFluxStatelessServerTransport.class)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @Conditional({
    McpServerStdioDisabledCondition.class,
    McpServerStatelessAutoConfiguration.EnabledStatelessServerCondition.class
  })
  @EnableConfigurationProperties(McpServerStreamableHttpProperties.class)
  static class StatelessWebFlux {
    @Bean
    @ConditionalOnMissingBean
    WebFluxStatelessServerTransport webFluxStatelessServerTransport(
        @Qualifier("mcpServerJsonMapper") JsonMapper jsonMapper,
        McpServerStreamableHttpProperties server,
        ToolgateIdentityProperties identity,
        ObjectProvider<McpIdentityResolver> resolver) {
      return WebFluxStatelessServerTransport.builder()
          .jsonMapper(new JacksonMcpJsonMapper(jsonMapper))
          .messageEndpoint(server.getMcpEndpoint())
          .contextExtractor(extractor(identity, resolver))
          .build();
    }

    /** Keeps each MCP request's principal for the transport's extractor. */
    @Bean
    McpPrincipalWebFilter toolgateMcpStatelessPrincipalWebFilter(McpServerStreamableHttpProperties server) {
      return new McpPrincipalWebFilter(server.getMcpEndpoint());
    }

    /** What the stateless MCP server is built on: the transport, with tools/list filtered per caller. */
    @Bean
    @Primary
    @ConditionalOnBooleanProperty(name = "toolgate.mcp.filter-tools-list", matchIfMissing = true)
    McpStatelessServerTransport toolgateWebFluxStatelessTransport(
        WebFluxStatelessServerTransport transport, McpGuards guards) {
      return new GuardedStatelessTransport(transport, new ToolsListFilter(guards));
    }
  }
}
