package io.toolgate.spring.autoconfigure.actuator;

import io.toolgate.api.ApprovalService;
import io.toolgate.api.CounterStore;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.spring.autoconfigure.ToolgateAutoConfiguration;
import io.toolgate.spring.autoconfigure.ToolgatePolicySource;
import io.toolgate.spring.autoconfigure.ToolgateStoreProbe;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code toolgate} actuator endpoint, when actuator is present and the application exposes the
 * endpoint ({@code management.endpoints.web.exposure.include=toolgate}), and the {@code toolgate}
 * health indicator, when Spring Boot's health support is present and {@code
 * management.health.toolgate.enabled} is not false.
 */
@AutoConfiguration(after = ToolgateAutoConfiguration.class)
@ConditionalOnBean(PolicyEngine.class)
public class ToolgateActuatorAutoConfiguration {

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  @ConditionalOnAvailableEndpoint(ToolgateEndpoint.class)
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    ToolgateEndpoint toolgateEndpoint(PolicyEngine engine, ObjectProvider<ToolgatePolicySource> source,
        ObjectProvider<ApprovalService> approvals) {
      return new ToolgateEndpoint(engine, source.getIfAvailable(() -> new ToolgatePolicySource(null)),
          approvals.getIfUnique());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("toolgate")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "toolgateHealthIndicator")
    ToolgateHealthIndicator toolgateHealthIndicator(PolicyEngine engine, ObjectProvider<CounterStore> store,
        ObjectProvider<ToolgateStoreProbe> probe) {
      return new ToolgateHealthIndicator(engine, store.getIfUnique(), probe.getIfUnique());
    }
  }
}
