package io.toolgate.spring.autoconfigure;

import io.opentelemetry.api.OpenTelemetry;
import io.toolgate.opentelemetry.OpenTelemetryObserver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * OpenTelemetry spans and MCP histograms of every call the engine decides, when {@code
 * policy-opentelemetry} is on the class path and the application has an {@link OpenTelemetry}
 * bean (Spring Boot's {@code spring-boot-starter-opentelemetry} makes one): an {@link
 * OpenTelemetryObserver}, which the engine takes as it takes every {@code CallObserver} bean.
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
    before = ToolgateAutoConfiguration.class)
@ConditionalOnClass({OpenTelemetryObserver.class, OpenTelemetry.class})
@ConditionalOnBean(OpenTelemetry.class)
public class ToolgateTracingAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  OpenTelemetryObserver toolgateOpenTelemetryObserver(OpenTelemetry openTelemetry) {
    return OpenTelemetryObserver.create(openTelemetry);
  }
}
