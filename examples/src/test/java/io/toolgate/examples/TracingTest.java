package io.toolgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.toolgate.examples.mcpserver.QuantConnectServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example server traced: one SERVER span per tool call, refusals as events. */
class TracingTest {
  @Test
  void everyToolCallIsAServerSpanNamedByTheConventions() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
        QuantConnectServer server = QuantConnectServer.start(new QuantConnectServer.Options()
            .clock(Clock.fixed(Instant.parse("2026-01-01T10:00:00Z"), ZoneOffset.UTC))
            .openTelemetry(sdk));
        McpSyncClient agent = McpClient.sync(
                HttpClientStreamableHttpTransport.builder(server.baseUrl())
                    .endpoint("/mcp")
                    .addHttpRequestCustomizer((request, method, uri, body, context) ->
                        request.header("Authorization", "Bearer demo-agent-token"))
                    .build())
            .requestTimeout(Duration.ofSeconds(20))
            .initializationTimeout(Duration.ofSeconds(20))
            .build()) {
      agent.initialize();
      agent.callTool(CallToolRequest.builder("create_compile").arguments(Map.of("projectId", 7)).build());
      agent.callTool(CallToolRequest.builder("delete_project").arguments(Map.of("projectId", 7)).build());

      List<SpanData> finished = spans.getFinishedSpanItems();
      assertThat(finished).extracting(SpanData::getName)
          .containsExactly("tools/call create_compile", "tools/call delete_project");
      assertThat(finished).allSatisfy(span -> {
        assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(span.getAttributes().get(AttributeKey.stringKey("mcp.method.name"))).isEqualTo("tools/call");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("mcp.session.id"))).isNotBlank();
      });
      assertThat(finished.get(0).getAttributes().get(AttributeKey.stringKey("toolgate.decision"))).isEqualTo("allow");
      assertThat(finished.get(1).getAttributes().get(AttributeKey.stringKey("toolgate.decision"))).isEqualTo("deny");
      assertThat(finished.get(1).getEvents()).extracting(e -> e.getName()).contains("toolgate.refusal");
    }
  }
}
