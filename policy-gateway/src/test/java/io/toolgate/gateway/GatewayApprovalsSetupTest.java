package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.approvals.ApproverTokens;
import io.toolgate.approvals.InboxRequest;
import io.toolgate.approvals.InboxResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the gateway sets up its approvals inbox: what it refuses to start with, how it signs approvers in, what it logs. */
class GatewayApprovalsSetupTest {
  static final String APPROVER = "a".repeat(32);
  static final String AGENT = "b".repeat(32);

  @TempDir Path dir;

  GatewayConfig config(String approverTokens, String agentTokens, String publicUrl) throws Exception {
    Files.writeString(dir.resolve("approvers.tokens"), approverTokens);
    Files.writeString(dir.resolve("agents.tokens"), agentTokens);
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, "listen: 127.0.0.1:0\napprovals: " + dir.resolve("approvers.tokens")
        + "\ntokens: " + dir.resolve("agents.tokens") + (publicUrl == null ? "" : "\npublic-url: " + publicUrl) + "\n");
    return GatewayConfig.empty().overriddenBy(GatewayConfig.load(file));
  }

  @Test
  void anAgentTokenThatIsAlsoAnApproverTokenStopsTheStart() throws Exception {
    GatewayConfig settings = config(ApproverTokens.hash(APPROVER) + " risk-officer\n" + ApproverTokens.hash(AGENT)
        + " ops\n", ApproverTokens.hash(AGENT) + " agent-7\n", null);
    assertThatThrownBy(() -> GatewayApprovals.create(settings, Map.<String, String>of()::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("share a token");
  }

  @Test
  void theSessionCookieIsSecureWhenApproversReachTheGatewayOverHttps() throws Exception {
    assertThat(signInCookie("https://gateway.example.com")).contains("; Secure");
    assertThat(signInCookie("http://127.0.0.1:8080")).doesNotContain("Secure");
  }

  private String signInCookie(String publicUrl) throws Exception {
    GatewayConfig settings = config(ApproverTokens.hash(APPROVER) + " risk-officer\n",
        ApproverTokens.hash(AGENT) + " agent-7\n", publicUrl);
    try (GatewayApprovals approvals = GatewayApprovals.create(settings, Map.<String, String>of()::get)) {
      InboxResponse response = approvals.inbox().handle(new InboxRequest("POST", "/login", null,
          Map.of("Content-Type", "application/x-www-form-urlencoded", "Origin", publicUrl),
          ("token=" + APPROVER).getBytes(StandardCharsets.UTF_8), null));
      assertThat(response.status()).isEqualTo(303);
      return response.headers().get("Set-Cookie");
    }
  }

  @Test
  void logsNameServersAndWebhooksWithoutTheirCredentials() {
    assertThat(Main.withoutSecrets(URI.create("https://hooks.slack.com/services/T0/B0/secret?x=1"), false))
        .isEqualTo("https://hooks.slack.com/...");
    assertThat(Main.withoutSecrets(URI.create("http://user:pw@mcp.example:9000/mcp?key=k#f"), true))
        .isEqualTo("http://mcp.example:9000/mcp");
    assertThat(Main.program(List.of("docker", "run", "-e", "TOKEN=secret", "image"))).isEqualTo("docker (+4 arguments)");
    assertThat(Main.program(List.of("server"))).isEqualTo("server");
  }
}
