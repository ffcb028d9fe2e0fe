package io.toolgate.spring.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.toolgate.spring.ai.internal.McpGuards;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.spring.ai.internal.McpPrincipalWebFilter;
import io.toolgate.spring.ai.internal.McpSessionWebFilter;
import io.toolgate.spring.ai.internal.ToolsListFilter;
import io.toolgate.spring.ai.mcp.ToolgateMcpServerAutoConfiguration;
import io.toolgate.spring.ai.mcp.ToolgateMcpWebFluxAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerAutoConfiguration;
import org.springframework.ai.mcp.server.common.autoconfigure.McpServerJsonMapperAutoConfiguration;
import org.springframework.ai.mcp.server.webflux.autoconfigure.McpServerStreamableHttpWebFluxAutoConfiguration;
import org.springframework.ai.mcp.server.webflux.transport.WebFluxStreamableServerTransportProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

/** When the WebFlux part applies, and that it fails loudly rather than list every tool. */
class WebFluxAutoConfigurationTest {
  private static final AutoConfigurations CONFIGURATIONS =
      AutoConfigurations.of(
          ToolgateMcpServerAutoConfiguration.class,
          ToolgateMcpWebFluxAutoConfiguration.class,
          McpServerJsonMapperAutoConfiguration.class,
          McpServerAutoConfiguration.class,
          McpServerStreamableHttpWebFluxAutoConfiguration.class);

  private final ReactiveWebApplicationContextRunner reactive =
      new ReactiveWebApplicationContextRunner()
          .withConfiguration(CONFIGURATIONS)
          .withPropertyValues("spring.ai.mcp.server.protocol=STREAMABLE");

  @Test
  void aReactiveAppGetsTheGuardedTransportAndThePrincipalFilter() {
    reactive.run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(WebFluxStreamableServerTransportProvider.class);
      assertThat(context).hasSingleBean(McpPrincipalWebFilter.class);
      assertThat(context.getBean(McpStreamableServerTransportProvider.class))
          .isNotInstanceOf(WebFluxStreamableServerTransportProvider.class);
    });
  }

  @Test
  void filteringOffKeepsTheIdentityButNotTheListFilter() {
    reactive.withPropertyValues("toolgate.mcp.filter-tools-list=false").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(McpPrincipalWebFilter.class);
      assertThat(context.getBean(McpStreamableServerTransportProvider.class))
          .isInstanceOf(WebFluxStreamableServerTransportProvider.class);
    });
  }

  @Test
  void disabledOrNotReactiveLeavesSpringAiAlone() {
    reactive.withPropertyValues("toolgate.mcp.enabled=false").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(McpPrincipalWebFilter.class);
      assertThat(context).doesNotHaveBean(McpGuards.class);
    });
    new ApplicationContextRunner()
        .withConfiguration(CONFIGURATIONS)
        .withPropertyValues("spring.ai.mcp.server.protocol=STREAMABLE")
        .run(context -> assertThat(context).doesNotHaveBean(McpPrincipalWebFilter.class));
  }

  @Test
  void streamableGetsTheSessionWebFilterAfterThePrincipalFilterAndTheGuardSharesItsOwners() {
    reactive.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(McpSessionOwners.class).hasSingleBean(McpSessionWebFilter.class);
      assertThat(context.getBean(McpSessionWebFilter.class).getOrder())
          .isGreaterThan(context.getBean(McpPrincipalWebFilter.class).getOrder());
      assertThat(context.getBean(McpGuards.class).sessionOwners()).isSameAs(context.getBean(McpSessionOwners.class));
    });
    McpSessionOwners own = McpSessionOwners.create();
    reactive.withBean("myOwners", McpSessionOwners.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(McpSessionOwners.class).hasSingleBean(McpSessionWebFilter.class);
      assertThat(context.getBean(McpGuards.class).sessionOwners()).isSameAs(own);
    });
  }

  @Test
  void noSessionWebFilterWhenOffOrStateless() {
    reactive.withPropertyValues("toolgate.mcp.session-ownership.enabled=false").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(McpSessionWebFilter.class).doesNotHaveBean(McpSessionOwners.class);
      assertThat(context).hasSingleBean(McpPrincipalWebFilter.class);
      assertThat(context.getBean(McpGuards.class).sessionOwners()).isNull();
    });
    reactive.withPropertyValues("spring.ai.mcp.server.protocol=STATELESS").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(McpSessionWebFilter.class).doesNotHaveBean(McpSessionOwners.class));
  }

  @Test
  void anUnknownSessionFactoryFailsLoudly() {
    McpStreamableServerSession.Factory other = request -> {
      throw new AssertionError("not called");
    };
    assertThatThrownBy(() -> new ToolsListFilter(new McpGuards(() -> null, null, false)).filter(other))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("toolgate.mcp.filter-tools-list=false");
  }
}
