package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.redis.RedisServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --redis}: gateways on one real redis-server (policy-store-redis's {@link RedisServer})
 * share one limit exactly; a store that fails refuses every call (fail closed) unless {@code
 * --fail-open} (or {@code fail-open: true}) lets it through, audited as such.
 */
class RedisGatewayTest {
  static final int LIMIT = 5;
  /** A sliding minute: a test that crosses a minute boundary still counts every call against one window. */
  static final String POLICY = """
      version: "1"
      default: deny
      tools:
        echo:
          limits: [ { counter: echo_rate, max: %d, window: minute, algorithm: sliding, scope: grant } ]
      """.formatted(LIMIT);

  @TempDir Path dir;
  RedisServer redis;
  Path policy;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
    policy = dir.resolve("policy.yaml");
    Files.writeString(policy, POLICY);
  }

  @AfterEach
  void stopRedis() {
    redis.close();
  }

  String[] args(Path calls, String... options) {
    List<String> all = new ArrayList<>(List.of(options));
    all.add("--");
    all.addAll(Upstreams.command(calls));
    return all.toArray(String[]::new);
  }

  static String text(CallToolResult result) {
    return ((TextContent) result.content().get(0)).text();
  }

  @Test
  void twoGatewaysOnOneRedisAllowExactlyTheLimitBetweenThem() throws Exception {
    Path callsA = dir.resolve("a.log");
    Path callsB = dir.resolve("b.log");
    try (RunningMain a = new RunningMain(args(callsA, "--policy", policy.toString(), "--principal", "ci-bot",
            "--redis", redis.uri(), "--redis-timeout", "30s"));
        RunningMain b = new RunningMain(args(callsB, "--policy", policy.toString(), "--principal", "ci-bot",
            "--redis", redis.uri(), "--redis-timeout", "30s"))) {
      List<CallToolResult> results = new ArrayList<>();
      for (int i = 0; i < 2 * LIMIT + 2; i++) {
        results.add((i % 2 == 0 ? a : b).call("echo"));
      }
      assertThat(results.subList(0, LIMIT)).allSatisfy(result -> assertThat(text(result)).startsWith("echo ok"));
      assertThat(results.subList(LIMIT, results.size())).allSatisfy(result -> {
        assertThat(result.isError()).isTrue();
        @SuppressWarnings("unchecked")
        Map<String, Object> decision = (Map<String, Object>) result.meta().get(McpToolGuard.META_KEY);
        assertThat(decision).containsEntry("kind", "rate_limited").containsEntry("counter", "echo_rate");
        assertThat(((Number) decision.get("retryAfterMillis")).longValue()).isPositive();
      });
    }
    assertThat(Upstreams.calls(callsA).size() + Upstreams.calls(callsB).size()).isEqualTo(LIMIT);
    assertThat(Upstreams.calls(callsA)).isNotEmpty();
    assertThat(Upstreams.calls(callsB)).isNotEmpty();
  }

  @Test
  void aFailedStoreRefusesTheCallByDefaultAndItNeverReachesTheServer() throws Exception {
    Path calls = dir.resolve("calls.log");
    Path audit = dir.resolve("audit.jsonl");
    try (RunningMain gateway = new RunningMain(args(calls, "--policy", policy.toString(), "--redis", redis.uri(),
        "--redis-timeout", "10s", "--audit", audit.toString()))) {
      assertThat(text(gateway.call("echo"))).startsWith("echo ok");
      redis.kill();
      CallToolResult refused = gateway.call("echo");
      assertThat(refused.isError()).isTrue();
      assertThat(text(refused)).contains("policy state unavailable", "counter store failed");
    }
    assertThat(Upstreams.calls(calls)).containsExactly("echo");
    List<JsonNode> lines = audit(audit);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1).get("decision").asText()).isEqualTo("deny");
    assertThat(lines.get(1).get("rule").asText()).isEqualTo("store");
  }

  @Test
  void failOpenAllowsTheCallWhenTheStoreFailsAndTheAuditSaysSo() throws Exception {
    Path calls = dir.resolve("calls.log");
    Path audit = dir.resolve("audit.jsonl");
    try (RunningMain gateway = new RunningMain(args(calls, "--policy", policy.toString(), "--redis", redis.uri(),
        "--redis-timeout", "10s", "--audit", audit.toString(), "--fail-open"))) {
      assertThat(text(gateway.call("echo"))).startsWith("echo ok");
      redis.kill();
      assertThat(text(gateway.call("echo"))).startsWith("echo ok");
    }
    assertThat(Upstreams.calls(calls)).containsExactly("echo", "echo");
    List<JsonNode> lines = audit(audit);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).get("rule").asText()).isNotEqualTo("fail-open");
    assertThat(lines.get(1).get("decision").asText()).isEqualTo("allow");
    assertThat(lines.get(1).get("rule").asText()).isEqualTo("fail-open");
  }

  @Test
  void theConfigFileSetsRedisAndFailOpen() throws Exception {
    Path calls = dir.resolve("calls.log");
    StringBuilder yaml = new StringBuilder("policy: policy.yaml\naudit: audit.jsonl\nfail-open: true\nredis: "
        + redis.uri() + "\nredis-timeout: 10s\ncommand:\n");
    for (String part : Upstreams.command(calls)) {
      yaml.append("  - ").append(MainTest.JSON.writeValueAsString(part)).append('\n');
    }
    Files.writeString(dir.resolve("gateway.yaml"), yaml);
    try (RunningMain gateway = new RunningMain("--config", dir.resolve("gateway.yaml").toString())) {
      assertThat(text(gateway.call("echo"))).startsWith("echo ok");
      assertThat(redis.command("DBSIZE")).as("the counter is in Redis").isNotEqualTo(":0");
      redis.kill();
      assertThat(text(gateway.call("echo"))).startsWith("echo ok");
    }
    assertThat(audit(dir.resolve("audit.jsonl"))).extracting(line -> line.get("rule").asText()).last().isEqualTo("fail-open");
  }

  @Test
  void aRedisThatCannotBeReachedOrABadTimeoutExitsOneBeforeStartingAnything() throws Exception {
    Path calls = dir.resolve("calls.log");
    redis.kill();
    InputStream nothing = InputStream.nullInputStream();
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(),
        args(calls, "--policy", policy.toString(), "--redis", redis.uri()))).isEqualTo(1);
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(),
        args(calls, "--policy", policy.toString(), "--redis", "not a uri"))).isEqualTo(1);
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(),
        args(calls, "--policy", policy.toString(), "--redis", redis.uri(), "--redis-timeout", "0ms"))).isEqualTo(1);
    assertThat(Files.exists(calls)).isFalse();
  }

  private static List<JsonNode> audit(Path file) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      lines.add(MainTest.JSON.readTree(line));
    }
    return lines;
  }
}
