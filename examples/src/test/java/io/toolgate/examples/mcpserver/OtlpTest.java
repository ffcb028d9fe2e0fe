package io.toolgate.examples.mcpserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Span export is on exactly when the standard OTLP endpoint variable is set. */
class OtlpTest {
  @Test
  void noEndpointNoExport() {
    assertThat(Otlp.fromEnvironment(Map.of())).isNull();
    assertThat(Otlp.fromEnvironment(Map.of(Otlp.ENDPOINT, " "))).isNull();
  }

  @Test
  void anEndpointGivesAnSdkThatTracesAsTheExample() {
    try (OpenTelemetrySdk sdk = Otlp.fromEnvironment(Map.of(
        Otlp.ENDPOINT, "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"))) {
      assertThat(sdk).isNotNull();
      assertThat(sdk.getSdkTracerProvider().toString())
          .contains("quantconnect-example")
          .contains("OtlpHttpSpanExporter")
          .contains("http://127.0.0.1:4318/v1/traces");
    }
  }

  @Test
  void theVariablesNameTheServiceAndTheProtocol() {
    try (OpenTelemetrySdk sdk = Otlp.fromEnvironment(Map.of(
        Otlp.ENDPOINT, "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_SERVICE_NAME", "desk"))) {
      assertThat(sdk.getSdkTracerProvider().toString()).contains("desk").contains("OtlpGrpcSpanExporter");
    }
  }
}
