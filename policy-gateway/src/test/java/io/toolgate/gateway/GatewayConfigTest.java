package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
  @TempDir Path dir;

  @Test
  void everyKeyIsReadAndRelativePathsAreTheFilesOwn() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, """
        policy: policies/p.yaml
        principal: ci-bot
        roles: [dev, ops]
        audit: /var/log/audit.jsonl
        fail-open: true
        shadow: true
        watch: false
        max-in-flight: 16
        max-message-bytes: 65536
        request-timeout: 30s
        command: [npx, some-server]
        """);
    GatewayConfig config = GatewayConfig.load(file);
    assertThat(config).isEqualTo(new GatewayConfig(dir.resolve("policies/p.yaml"), "ci-bot", List.of("dev", "ops"),
        Path.of("/var/log/audit.jsonl"), true, true, false, 16, 65536, "30s", List.of("npx", "some-server")));
    assertThat(config.requestTimeoutDuration()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void flagsWinAndUnsetFlagsKeepTheFilesValues() {
    GatewayConfig file = new GatewayConfig(Path.of("p.yaml"), "ci-bot", List.of("dev"), null, true, null, null, 16, null,
        null, List.of("a"));
    GatewayConfig flags = new GatewayConfig(null, "me", null, Path.of("a.jsonl"), false, null, null, null, null, "1m",
        List.of());
    assertThat(file.overriddenBy(flags)).isEqualTo(new GatewayConfig(Path.of("p.yaml"), "me", List.of("dev"),
        Path.of("a.jsonl"), false, null, null, 16, null, "1m", List.of("a")));
    assertThat(GatewayConfig.empty().requestTimeoutDuration()).isEqualTo(Gateway.DEFAULT_REQUEST_TIMEOUT);
  }

  @Test
  void anUnknownKeyOrABadDurationIsAnError() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, "polcy: p.yaml\n");
    assertThatThrownBy(() -> GatewayConfig.load(file)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("polcy");
    GatewayConfig bad = GatewayConfig.empty().overriddenBy(
        new GatewayConfig(null, null, null, null, null, null, null, null, null, "soon", null));
    assertThatThrownBy(bad::requestTimeoutDuration).hasMessageContaining("\"soon\" is not a duration");
  }

  @Test
  void anHttpUpstreamAndItsHeadersAreReadAndEnvValuesComeFromTheEnvironment() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, """
        policy: p.yaml
        upstream-url: https://mcp.example.com/mcp
        upstream-headers: {Authorization: "env:SERVER_AUTH", X-Team: quant}
        """);
    GatewayConfig config = GatewayConfig.load(file);
    assertThat(config.upstreamUrl()).isEqualTo("https://mcp.example.com/mcp");
    assertThat(config.upstreamHeaderValues(Map.of("SERVER_AUTH", "Bearer k-1")::get))
        .containsExactly(Map.entry("Authorization", "Bearer k-1"), Map.entry("X-Team", "quant"));
    assertThatThrownBy(() -> config.upstreamHeaderValues(name -> null))
        .hasMessageContaining("environment variable SERVER_AUTH is not set");
    GatewayConfig flags = new GatewayConfig(null, null, null, null, null, null, null, null, null, null, null,
        "http://127.0.0.1:9/mcp", Map.of("X-Team", "ops"), null, null, null, null, null, null, null, null, null, null,
        null);
    assertThat(config.overriddenBy(flags).upstreamUrl()).isEqualTo("http://127.0.0.1:9/mcp");
    assertThat(config.overriddenBy(flags).upstreamHeaders()).isEqualTo(Map.of("X-Team", "ops"));
  }

  @Test
  void theHttpKeysAreReadAndTheirFilesAreTheConfigsOwn() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, """
        policy: p.yaml
        command: [npx, some-server]
        listen: 127.0.0.1:8080
        tokens: tokens.txt
        jwks-file: keys/jwks.json
        jwks-url: https://auth.example.com/jwks.json
        issuer: https://auth.example.com
        audience: https://gw.example.com/mcp
        principal-claim: email
        roles-claim: groups
        allowed-origins: [https://app.example.com]
        max-sessions: 8
        grace: 5s
        """);
    GatewayConfig config = GatewayConfig.load(file);
    assertThat(config.listenAddress()).isEqualTo(new java.net.InetSocketAddress("127.0.0.1", 8080));
    assertThat(config.tokens()).isEqualTo(dir.resolve("tokens.txt"));
    assertThat(config.jwksFile()).isEqualTo(dir.resolve("keys/jwks.json"));
    assertThat(List.of(config.jwksUrl(), config.issuer(), config.audience(), config.principalClaim(), config.rolesClaim()))
        .containsExactly("https://auth.example.com/jwks.json", "https://auth.example.com", "https://gw.example.com/mcp",
            "email", "groups");
    assertThat(config.allowedOrigins()).containsExactly("https://app.example.com");
    assertThat(config.maxSessions()).isEqualTo(8);
    assertThat(config.graceDuration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(GatewayConfig.empty().listenAddress()).isNull();
    assertThat(GatewayConfig.empty().graceDuration()).isEqualTo(GatewayServer.DEFAULT_GRACE);
  }

  @Test
  void redisAndItsTimeoutAreReadAndABadTimeoutIsAnError() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, """
        policy: p.yaml
        command: [npx, some-server]
        redis: redis://redis.internal:6379
        redis-timeout: 250ms
        """);
    GatewayConfig config = GatewayConfig.load(file);
    assertThat(config.redis()).isEqualTo("redis://redis.internal:6379");
    assertThat(config.redisTimeoutDuration()).isEqualTo(Duration.ofMillis(250));
    GatewayConfig flags = new GatewayConfig(null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, "redis://127.0.0.1:7000", "2s");
    assertThat(config.overriddenBy(flags).redis()).isEqualTo("redis://127.0.0.1:7000");
    assertThat(config.overriddenBy(flags).redisTimeoutDuration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.overriddenBy(GatewayConfig.empty()).redis()).isEqualTo("redis://redis.internal:6379");
    assertThat(GatewayConfig.empty().redisTimeoutDuration()).isEqualTo(Duration.ofMillis(50));
    for (String bad : List.of("soon", "0ms", "0", "-5ms", "ms", "1.5ms", "9999999999999999999999ms")) {
      GatewayConfig withBad = GatewayConfig.empty().overriddenBy(new GatewayConfig(null, null, null, null, null, null,
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
          null, bad));
      assertThatThrownBy(withBad::redisTimeoutDuration).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("redis-timeout");
    }
  }

  @Test
  void theApprovalKeysAreReadAndTheFlagsWin() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, """
        approvals: approvers.tokens
        approval-webhooks: https://hooks.example.com/a
        approval-webhook-secret-env: HOOK_SECRET
        approval-webhook-format: slack
        public-url: https://gw.example.com
        """);
    GatewayConfig config = GatewayConfig.load(file);
    assertThat(config.approvals()).isEqualTo(dir.resolve("approvers.tokens"));
    assertThat(config.approvalWebhookUris()).containsExactly(java.net.URI.create("https://hooks.example.com/a"));
    assertThat(config.approvalWebhookSecretEnv()).isEqualTo("HOOK_SECRET");
    assertThat(config.slackWebhooks()).isTrue();
    assertThat(config.publicUri()).isEqualTo(java.net.URI.create("https://gw.example.com"));

    GatewayConfig flags = GatewayConfig.empty().overriddenBy(new GatewayConfig(null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, Path.of("other.tokens"), List.of("http://127.0.0.1:9/z", "http://127.0.0.1:9/y"), null, "json", null));
    GatewayConfig merged = config.overriddenBy(flags);
    assertThat(merged.approvals()).isEqualTo(Path.of("other.tokens"));
    assertThat(merged.approvalWebhooks()).containsExactly("http://127.0.0.1:9/z", "http://127.0.0.1:9/y");
    assertThat(merged.approvalWebhookSecretEnv()).isEqualTo("HOOK_SECRET");
    assertThat(merged.slackWebhooks()).isFalse();
    assertThat(merged.publicUrl()).isEqualTo("https://gw.example.com");
    assertThat(GatewayConfig.empty().approvalWebhookUris()).isEmpty();
    assertThat(GatewayConfig.empty().slackWebhooks()).isFalse();
    assertThat(GatewayConfig.empty().publicUri()).isNull();

    Files.writeString(file, "approval-webhooks: [https://a.example/x, http://127.0.0.1:9/y]\n");
    assertThat(GatewayConfig.load(file).approvalWebhookUris()).hasSize(2);
  }

  @Test
  void badApprovalKeysAndValuesAreErrorsThatSayWhere() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, "listen: 127.0.0.1:8080\napproval-webhook: https://hooks.example.com/a\n");
    assertThatThrownBy(() -> GatewayConfig.load(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unrecognized field \"approval-webhook\"").hasMessageContaining("line: ");
    Files.writeString(file, "approval-webhooks: {url: x}\n");
    assertThatThrownBy(() -> GatewayConfig.load(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line: 1");
    for (String bad : List.of("ftp://hooks.example.com/a", "not a url", "/relative", "http://")) {
      Files.writeString(file, "approval-webhooks: [" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(bad)
          + "]\npublic-url: " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(bad) + "\n");
      GatewayConfig config = GatewayConfig.load(file);
      assertThatThrownBy(config::approvalWebhookUris).as(bad).hasMessageContaining("approval-webhook");
      assertThatThrownBy(config::publicUri).as(bad).hasMessageContaining("public-url");
    }
    Files.writeString(file, "approval-webhook-format: xml\n");
    assertThatThrownBy(GatewayConfig.load(file)::slackWebhooks).hasMessageContaining("\"xml\" is neither json nor slack");
  }
}
