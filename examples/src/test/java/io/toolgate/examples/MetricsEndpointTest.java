package io.toolgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.toolgate.examples.mcpserver.QuantConnectServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The example server's {@code /metrics}, scraped over HTTP as Prometheus (or {@code curl}) would
 * after the runaway loop of the demo: 10 allows and 15 rate limits of {@code create_compile}.
 */
class MetricsEndpointTest {
  @Test
  void aScrapeAfterTheRunawayLoopShowsTenAllowsAndFifteenRateLimits() throws Exception {
    try (QuantConnectServer server = QuantConnectServer.start(new QuantConnectServer.Options()
            .clock(Clock.fixed(Instant.parse("2026-01-01T10:00:00Z"), ZoneOffset.UTC)));
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
      for (int i = 0; i < 25; i++) {
        agent.callTool(CallToolRequest.builder("create_compile").arguments(Map.of("projectId", 7)).build());
      }
      agent.callTool(CallToolRequest.builder("delete_project").arguments(Map.of("projectId", 7)).build());

      HttpResponse<String> scrape = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics")).GET().build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(scrape.statusCode()).as("no token is needed to scrape").isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(scrape.body().lines())
          .contains(
              "toolgate_decisions_total{kind=\"allow\",rule=\"entry\",tool=\"create_compile\"} 10.0",
              "toolgate_decisions_total{kind=\"rate_limited\",rule=\"limit\",tool=\"create_compile\"} 15.0",
              "toolgate_decisions_total{kind=\"deny\",rule=\"entry\",tool=\"delete_project\"} 1.0",
              "toolgate_call_duration_seconds_count{outcome=\"succeeded\",tool=\"create_compile\"} 10",
              "toolgate_call_duration_seconds_count{outcome=\"not_run\",tool=\"create_compile\"} 15",
              "toolgate_approvals_pending 0.0")
          .anyMatch(l -> l.startsWith("toolgate_call_duration_seconds_bucket{outcome=\"succeeded\",tool=\"create_compile\",le="))
          .anyMatch(l -> l.startsWith("toolgate_store_duration_seconds_count{operation=\"reserve\",store=\"InMemoryCounterStore\"} 25"));
    }
  }
}
