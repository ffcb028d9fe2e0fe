package io.toolgate.spring.ai.mcp;

import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.McpCancellation;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpSessionFilter;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.spring.ai.ToolgateIdentityProperties;
import io.toolgate.spring.ai.internal.CancellableExtractor;
import io.toolgate.spring.ai.internal.GuardedStatelessTransport;
import io.toolgate.spring.ai.internal.GuardedStreamableTransportProvider;
import io.toolgate.spring.ai.internal.IdentityExtractor;
import io.toolgate.spring.ai.internal.McpGuards;
import io.toolgate.spring.ai.internal.SecurityIdentity;
import io.toolgate.spring.ai.internal.ToolSpecificationGuard;
import io.toolgate.spring.ai.internal.ToolsListFilter;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerAutoConfiguration;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerStatelessAutoConfiguration;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerStdioDisabledCondition;
import org.springframework.ai.mcp.server.common.autoconfigure.properties.McpServerStreamableHttpProperties;
import org.springframework.ai.mcp.server.webmvc.transport.WebMvcStatelessServerTransport;
import org.springframework.ai.mcp.server.webmvc.transport.WebMvcStreamableServerTransportProvider;
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
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/**
 * Guards every tool of the Spring AI MCP server with the application's {@link PolicyEngine} bean:
 * each tool specification bean (sync or async, stateful or stateless, whatever the transport) is
 * wrapped by {@link McpToolGuard} before the server is built, and a refused call is answered as
 * {@code McpToolGuard} answers it.
 *
 * <p>On the WebMVC streamable-HTTP and stateless transports it also defines the transport (Spring
 * AI's backs off): with a context extractor that reads the request's Spring Security {@code
 * Authentication} (name as principal, authorities as roles, see {@link ToolgateIdentityProperties})
 * into the MCP transport context, and with {@code tools/list} filtered per caller. A request
 * without an authenticated caller is resolved by the application's {@link McpIdentityResolver}
 * bean if there is one (it finds the request's headers under {@link #HEADERS_KEY}), else it is
 * anonymous. Without a {@code PolicyEngine} bean nothing is guarded. The WebFlux transports are
 * {@link ToolgateMcpWebFluxAutoConfiguration}'s.
 *
 * <p>On the WebMVC streamable-HTTP transport, a client's {@code notifications/cancelled} withdraws
 * a call held for an approval ({@link McpCancellation}, unless {@code
 * toolgate.mcp.cancellation.enabled=false}), and each session serves only the principal whose
 * {@code initialize} opened it ({@link McpSessionFilter}, unless {@code
 * toolgate.mcp.session-ownership.enabled=false}): another principal naming its {@code
 * Mcp-Session-Id} gets 403, an unknown session 404.
 */
@AutoConfiguration(
    beforeName = {
      "org.springframework.ai.mcp.server.common.autoconfigure.McpServerAutoConfiguration",
      "org.springframework.ai.mcp.server.common.autoconfigure.McpServerStatelessAutoConfiguration",
      "org.springframework.ai.mcp.server.webmvc.autoconfigure.McpServerStreamableHttpWebMvcAutoConfiguration",
      "org.springframework.ai.mcp.server.webmvc.autoconfigure.McpServerStatelessWebMvcAutoConfiguration"
    })
@ConditionalOnClass({McpServerFeatures.class, McpToolGuard.class, McpServerAutoConfiguration.class})
@ConditionalOnBooleanProperty(name = "toolgate.mcp.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ToolgateMcpProperties.class, ToolgateIdentityProperties.class})
public class ToolgateMcpServerAutoConfiguration {
  /**
   * The transport-context key under which an application's {@link McpIdentityResolver} finds the
   * MCP HTTP request's headers: a {@code Map<String, List<String>>} with lower-case names.
   */
  public static final String HEADERS_KEY = "io.toolgate.http.headers";

  /**
   * The order of the {@link McpCancellation} filter on the MCP endpoint: after Spring Security's
   * filter chain and most others, and after the {@link McpSessionFilter} ({@link
   * #SESSION_FILTER_ORDER}).
   */
  public static final int CANCELLATION_FILTER_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

  /**
   * The order of the {@link McpSessionFilter} on the MCP endpoint: after Spring Security's filter
   * chain (the caller is known), before the {@link McpCancellation} filter: ownership first, so a
   * {@code notifications/cancelled} naming another principal's session is refused before it can
   * withdraw anything.
   */
  public static final int SESSION_FILTER_ORDER = CANCELLATION_FILTER_ORDER - 10;

  /** The guard of the MCP server's tools, built from the engine on first use. */
  @Bean
  @ConditionalOnMissingBean
  static McpGuards toolgateMcpGuards(
      ObjectProvider<PolicyEngine> engine,
      ObjectProvider<McpIdentityResolver> identity,
      ObjectProvider<ToolgateMcpProperties> properties,
      ObjectProvider<McpSessionOwners> sessionOwners) {
    return new McpGuards(
        engine::getIfAvailable,
        identity.getIfAvailable(),
        properties.getIfAvailable(ToolgateMcpProperties::new).isRefusalsAsErrors(),
        sessionOwners::getIfAvailable);
  }

  /** Wraps every tool specification bean before the MCP server collects them. */
  @Bean
  static ToolSpecificationGuard toolgateToolSpecificationGuard(ObjectProvider<McpGuards> guards) {
    return new ToolSpecificationGuard(guards::getObject);
  }

  /** The extractor every guarded WebMVC transport reads the caller with. */
  static IdentityExtractor extractor(ToolgateIdentityProperties identity, ObjectProvider<McpIdentityResolver> resolver) {
    return new IdentityExtractor(
        new SecurityIdentity(identity.getRolePrefixes()), resolver.getIfAvailable() != null ? HEADERS_KEY : null);
  }

  /** The WebMVC streamable-HTTP transport, with the caller read from Spring Security. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebMvcStreamableServerTransportProvider.class)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @Conditional({
    McpServerStdioDisabledCondition.class,
    McpServerAutoConfiguration.EnabledStreamableServerCondition.class
  })
  @EnableConfigurationProperties(McpServerStreamableHttpProperties.class)
  @Import({McpSessionOwnershipConfiguration.class, McpCancellationConfiguration.class})
  static class StreamableWebMvc {
    @Bean
    @ConditionalOnMissingBean
    WebMvcStreamableServerTransportProvider webMvcStreamableServerTransportProvider(
        @Qualifier("mcpServerJsonMapper") JsonMapper jsonMapper,
        McpServerStreamableHttpProperties server,
        ToolgateIdentityProperties identity,
        ObjectProvider<McpIdentityResolver> resolver,
        ObjectProvider<McpCancellation> cancellation) {
      return WebMvcStreamableServerTransportProvider.builder()
          .jsonMapper(new JacksonMcpJsonMapper(jsonMapper))
          .mcpEndpoint(server.getMcpEndpoint())
          .keepAliveInterval(server.getKeepAliveInterval())
          .disallowDelete(server.isDisallowDelete())
          .contextExtractor(CancellableExtractor.of(extractor(identity, resolver), cancellation.getIfAvailable()))
          .build();
    }

    /** What the MCP server is built on: the transport, with tools/list filtered per caller. */
    @Bean
    @Primary
    @ConditionalOnBooleanProperty(name = "toolgate.mcp.filter-tools-list", matchIfMissing = true)
    McpStreamableServerTransportProvider toolgateStreamableTransport(
        WebMvcStreamableServerTransportProvider transport, McpGuards guards) {
      return new GuardedStreamableTransportProvider(transport, new ToolsListFilter(guards));
    }
  }

  /** The WebMVC stateless transport, with the caller read from Spring Security. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebMvcStatelessServerTransport.class)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @Conditional({
    McpServerStdioDisabledCondition.class,
    McpServerStatelessAutoConfiguration.EnabledStatelessServerCondition.class
  })
  @EnableConfigurationProperties(McpServerStreamableHttpProperties.class)
  static class StatelessWebMvc {
    @Bean
    @ConditionalOnMissingBean
    WebMvcStatelessServerTransport webMvcStatelessServerTransport(
        @Qualifier("mcpServerJsonMapper") JsonMapper jsonMapper,
        McpServerStreamableHttpProperties server,
        ToolgateIdentityProperties identity,
        ObjectProvider<McpIdentityResolver> resolver) {
      return WebMvcStatelessServerTransport.builder()
          .jsonMapper(new JacksonMcpJsonMapper(jsonMapper))
          .messageEndpoint(server.getMcpEndpoint())
          .contextExtractor(extractor(identity, resolver))
          .build();
    }

    /** What the stateless MCP server is built on: the transport, with tools/list filtered per caller. */
    @Bean
    @Primary
    @ConditionalOnBooleanProperty(name = "toolgate.mcp.filter-tools-list", matchIfMissing = true)
    McpStatelessServerTransport toolgateStatelessTransport(
        WebMvcStatelessServerTransport transport, McpGuards guards) {
      return new GuardedStatelessTransport(transport, new ToolsListFilter(guards));
    }
  }
}
