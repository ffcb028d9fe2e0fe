/**
 * Spring Boot auto-configuration of Toolgate: the {@link io.toolgate.engine.PolicyEngine} and what
 * it needs from {@code toolgate.*} properties ({@link io.toolgate.spring.autoconfigure.ToolgateProperties}),
 * Micrometer and OpenTelemetry observers when those modules are present, and a failure analysis
 * for a policy that cannot be loaded. See {@code docs/spring.md}.
 */
package io.toolgate.spring.autoconfigure;
