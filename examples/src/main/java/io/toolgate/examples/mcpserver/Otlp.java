package io.toolgate.examples.mcpserver;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The example server's span export: when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set, an
 * OpenTelemetry SDK configured the standard way by the autoconfigure module from the {@code OTEL_*}
 * variables (endpoint, protocol, headers, service name...), exporting spans by OTLP. Service name
 * {@code quantconnect-example}, and metrics and logs left to {@code /metrics}, unless {@code
 * OTEL_SERVICE_NAME}, {@code OTEL_METRICS_EXPORTER} or {@code OTEL_LOGS_EXPORTER} say otherwise.
 */
final class Otlp {
  /** The variable that turns export on. */
  static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";

  private Otlp() {}

  /** The SDK for {@code environment}, or {@code null} when it does not name an OTLP endpoint. */
  static OpenTelemetrySdk fromEnvironment(Map<String, String> environment) {
    String endpoint = environment.get(ENDPOINT);
    if (endpoint == null || endpoint.isBlank()) {
      return null;
    }
    Map<String, String> properties = new HashMap<>(Map.of(
        "otel.service.name", "quantconnect-example", "otel.metrics.exporter", "none", "otel.logs.exporter", "none"));
    environment.forEach((name, value) -> {
      if (name.startsWith("OTEL_")) {
        properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> properties)
        .build()
        .getOpenTelemetrySdk();
  }
}
