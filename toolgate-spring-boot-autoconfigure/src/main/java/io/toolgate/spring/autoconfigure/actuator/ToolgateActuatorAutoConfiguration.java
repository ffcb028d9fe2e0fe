package io.toolgate.spring.autoconfigure.actuator;

import io.toolgate.api.ApprovalService;
import io.toolgate.api.CounterStore;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.spring.autoconfigure.ToolgateAutoConfiguration;
import io.toolgate.spring.autoconfigure.ToolgateConfigurationException;
import io.toolgate.spring.autoconfigure.ToolgatePolicySource;
import io.toolgate.spring.autoconfigure.ToolgateStoreProbe;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The {@code toolgate} actuator endpoint, when actuator is present and the application exposes the
 * endpoint ({@code management.endpoints.web.exposure.include=toolgate}), and the {@code toolgate}
 * health indicator, when Spring Boot's health support is present and {@code
 * management.health.toolgate.enabled} is not false.
 *
 * <p>Who answers approvals through the endpoint is an {@link ActuatorApprover}: the application's
 * bean, or with Spring Security the users holding {@code toolgate.actuator.approver-authority}
 * (default {@code toolgate.approvals.inbox.authority}; startup fails when neither is set, as the
 * inbox's does), or without Spring Security nobody.
 */
@AutoConfiguration(after = ToolgateAutoConfiguration.class)
@ConditionalOnBean(PolicyEngine.class)
public class ToolgateActuatorAutoConfiguration {
  private static final String SECURITY = "org.springframework.security.core.Authentication";

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  @ConditionalOnAvailableEndpoint(ToolgateEndpoint.class)
  @EnableConfigurationProperties(ToolgateActuatorProperties.class)
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    ToolgateEndpoint toolgateEndpoint(PolicyEngine engine, ObjectProvider<ToolgatePolicySource> source,
        ObjectProvider<ApprovalService> approvals, ActuatorApprover approvers) {
      return new ToolgateEndpoint(engine, source.getIfAvailable(() -> new ToolgatePolicySource(null)),
          approvals.getIfUnique(), approvers);
    }

    /** With Spring Security: the users holding the approver authority; startup fails without one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = SECURITY)
    static class SecurityApprovers {
      @Bean
      @ConditionalOnMissingBean
      ActuatorApprover toolgateActuatorApprover(ToolgateActuatorProperties properties, Environment environment) {
        String authority = authority(properties, environment);
        if (authority == null) {
          throw ToolgateConfigurationException.noActuatorApproverAuthority();
        }
        return new SecurityActuatorApprover(authority);
      }
    }

    /** Without Spring Security: nobody answers approvals here, as the endpoint cannot know who asks. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(SECURITY)
    static class NoApprovers {
      @Bean
      @ConditionalOnMissingBean
      ActuatorApprover toolgateActuatorApprover(ToolgateActuatorProperties properties) {
        if (hasText(properties.getApproverAuthority())) {
          throw ToolgateConfigurationException.actuatorAuthorityWithoutSecurity();
        }
        return ActuatorApprover.none();
      }
    }
  }

  /** {@code toolgate.actuator.approver-authority}, else {@code toolgate.approvals.inbox.authority}, else null. */
  static String authority(ToolgateActuatorProperties properties, Environment environment) {
    String own = properties.getApproverAuthority();
    if (hasText(own)) {
      return own.strip();
    }
    String inbox = environment.getProperty("toolgate.approvals.inbox.authority");
    return hasText(inbox) ? inbox.strip() : null;
  }

  private static boolean hasText(String s) {
    return s != null && !s.isBlank();
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
