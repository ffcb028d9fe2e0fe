package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.McpRefusals;
import io.toolgate.mcp.McpToolGuard;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy at the gateway: decided calls, refusals as the guard words them, filtered lists, faults. */
class GatewayPolicyTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T10:00:30Z"), ZoneOffset.UTC);

  static PolicyEngine engine(String resource) {
    return PolicyEngine.builder(Policy.fromResource(resource)).clock(CLOCK).build();
  }

  static CallToolResult call(McpSyncClient client, String tool) {
    return client.callTool(CallToolRequest.builder(tool).arguments(Map.of("projectId", 7)).build());
  }

  static String text(CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  @Test
  void theSeedPolicyCapsCreateCompileAtTenAMinuteAndRefusedCallsNeverReachTheServer() throws Exception {
    try (InProcessGateway gateway = InProcessGateway.start(engine("seed-policy.json"))) {
      McpSyncClient client = gateway.client();
      for (int i = 0; i < 10; i++) {
        assertThat(text(call(client, "create_compile"))).startsWith("create_compile ok");
      }
      CallToolResult limited = call(client, "create_compile");
      CallToolResult denied = call(client, "delete_project");

      assertThat(limited.isError()).isTrue();
      assertThat(text(limited)).isEqualTo(
          "Policy denied create_compile: rate limit create_compile_rate (10 per minute, per grant) reached; retry after 30s.");
      JsonNode decision = JSON.valueToTree(limited.meta().get(McpToolGuard.META_KEY));
      assertThat(decision.get("kind").asText()).isEqualTo("rate_limited");
      assertThat(decision.get("counter").asText()).isEqualTo("create_compile_rate");
      assertThat(decision.get("retryAfterSeconds").asLong()).isEqualTo(30);
      assertThat(denied.isError()).isTrue();
      assertThat(text(denied)).isEqualTo("Policy denied delete_project: not permitted (no policy entry allows this tool).");
      assertThat(Upstreams.calls(gateway.calls)).isEqualTo(Collections.nCopies(10, "create_compile"));
      client.closeGracefully();
    }
  }

  @Test
  void aRefusalIsTheResultMcpToolGuardSends() throws Exception {
    PolicyEngine engine = engine("seed-policy.json");
    try (InProcessGateway gateway = InProcessGateway.start(engine)) {
      McpSyncClient client = gateway.client();
      CallToolResult refused = call(client, "delete_project");
      CallToolResult expected = McpRefusals.result(
          PolicyEngine.of(Policy.fromResource("seed-policy.json"))
              .evaluate(ToolCall.of("delete_project", Map.of("projectId", 7)), CallContext.of(Gateway.DEFAULT_PRINCIPAL)));
      assertThat(refused).isEqualTo(expected);
      client.closeGracefully();
    }
  }

  @Test
  void toolsListShowsOnlyWhatThePolicyListsForTheCaller() throws Exception {
    try (InProcessGateway gateway = InProcessGateway.start(engine("seed-policy.json"))) {
      McpSyncClient client = gateway.client();
      assertThat(client.listTools().tools()).extracting(Tool::name).containsExactly("create_compile");
      client.closeGracefully();
    }
    try (InProcessGateway gateway = InProcessGateway.start(engine("gateway-test-policy.yaml"))) {
      McpSyncClient client = gateway.client();
      List<String> names = client.listTools().tools().stream().map(Tool::name).toList();
      assertThat(names).hasSize(37).contains("echo", "tool_29", "crash_once").doesNotContain("admin_reset", "delete_project");
      assertThat(text(call(client, "admin_reset"))).contains("hidden by policy");
      assertThat(Upstreams.calls(gateway.calls)).isEmpty();
      client.closeGracefully();
    }
  }

  @Test
  void theServerDyingMidCallGivesAnErrorRefundsTheCallAndIsRestarted() throws Exception {
    try (InProcessGateway gateway = InProcessGateway.start(engine("gateway-test-policy.yaml"))) {
      McpSyncClient client = gateway.client();
      assertThat(text(call(client, "echo"))).startsWith("echo ok");

      assertThatThrownBy(() -> call(client, "crash_once"))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("the upstream server exited");
      // crash_once allows 1 call an hour and refunds failures: the crashed call gave its count back
      assertThat(text(call(client, "crash_once"))).isEqualTo("crash_once ok");
      assertThat(text(call(client, "echo"))).startsWith("echo ok");
      assertThat(client.ping()).isNotNull();

      assertThat(Upstreams.calls(gateway.calls)).containsExactly("echo", "crash_once", "crash_once", "echo");
      List<Long> pids = Upstreams.pids(gateway.calls);
      assertThat(pids.get(0)).isEqualTo(pids.get(1));
      assertThat(pids.get(2)).isNotEqualTo(pids.get(1)).isEqualTo(pids.get(3));
      assertThat(gateway.gateway.restarts()).isEqualTo(1);
      client.closeGracefully();
    }
  }

  @Test
  void anIsErrorResultCountsAsFailedForRefundOnError() throws Exception {
    try (InProcessGateway gateway = InProcessGateway.start(engine("gateway-test-policy.yaml"))) {
      McpSyncClient client = gateway.client();
      // failing allows 1 call an hour and refunds failures: each isError result gives its count back
      for (int i = 0; i < 3; i++) {
        CallToolResult result = call(client, "failing");
        assertThat(result.isError()).isTrue();
        assertThat(text(result)).isEqualTo("it failed");
      }
      assertThat(Upstreams.calls(gateway.calls)).containsExactly("failing", "failing", "failing");
      client.closeGracefully();
    }
  }
}
