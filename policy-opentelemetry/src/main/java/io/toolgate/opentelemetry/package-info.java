/**
 * Tool calls as OpenTelemetry spans, following the semantic conventions for MCP: {@link
 * io.toolgate.opentelemetry.OpenTelemetryObserver}, a {@link io.toolgate.api.CallObserver} for
 * {@code PolicyEngine.builder(policy).observe(...)}.
 */
package io.toolgate.opentelemetry;
