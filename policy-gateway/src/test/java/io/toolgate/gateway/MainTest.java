package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line on this JVM's threads: config file and flags, audit, shadow mode, hot reload, exit codes. */
class MainTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SEED = """
      {"version":"1","default":"deny","tools":{"create_compile":{"limits":[
       {"counter":"create_compile_rate","window":"minute","max":10,"scope":"grant"}]}}}""";

  @TempDir Path dir;

  List<String> command(Path calls) {
    List<String> command = new ArrayList<>(List.of("--"));
    command.addAll(Upstreams.command(calls));
    return command;
  }

  String[] args(List<String> options, Path calls) {
    List<String> all = new ArrayList<>(options);
    all.addAll(command(calls));
    return all.toArray(String[]::new);
  }

  @Test
  void aConfigFileSetsEverythingAndFlagsWin() throws Exception {
    Files.writeString(dir.resolve("seed.json"), SEED);
    Path calls = dir.resolve("calls.log");
    StringBuilder yaml = new StringBuilder("policy: seed.json\nprincipal: from-file\nroles: [dev]\naudit: audit.jsonl\n"
        + "max-in-flight: 16\nrequest-timeout: 5m\nwatch: false\ncommand:\n");
    for (String part : Upstreams.command(calls)) {
      yaml.append("  - ").append(JSON.writeValueAsString(part)).append('\n');
    }
    Files.writeString(dir.resolve("gateway.yaml"), yaml);

    try (RunningMain gateway = new RunningMain("--config", dir.resolve("gateway.yaml").toString(), "--principal", "from-flag")) {
      assertThat(gateway.tools()).containsExactly("create_compile");
      assertThat(gateway.call("create_compile").isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(gateway.call("delete_project").isError()).isTrue();
    }
    List<JsonNode> audit = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("audit.jsonl"))) {
      audit.add(JSON.readTree(line));
    }
    assertThat(audit).extracting(line -> line.get("tool").asText()).containsExactly("create_compile", "delete_project");
    assertThat(audit).allSatisfy(line -> {
      assertThat(line.get("principal").asText()).isEqualTo("from-flag");
      assertThat(line.get("session").asText()).isNotBlank();
    });
    assertThat(Upstreams.calls(calls)).containsExactly("create_compile");
  }

  @Test
  void shadowModeDecidesAndAuditsButRefusesNothing() throws Exception {
    Files.writeString(dir.resolve("seed.json"), SEED);
    Path calls = dir.resolve("calls.log");
    try (RunningMain gateway = new RunningMain(args(List.of("--policy", dir.resolve("seed.json").toString(), "--shadow",
        "--audit", dir.resolve("audit.jsonl").toString()), calls))) {
      assertThat(gateway.call("delete_project").isError()).isNotEqualTo(Boolean.TRUE);
    }
    assertThat(Upstreams.calls(calls)).containsExactly("delete_project");
    assertThat(Files.readString(dir.resolve("audit.jsonl"))).contains("\"decision\":\"deny\"");
  }

  @Test
  void aChangedPolicyFileIsPutInForceWhileServing() throws Exception {
    Path policy = dir.resolve("policy.json");
    Files.writeString(policy, SEED);
    Path calls = dir.resolve("calls.log");
    try (RunningMain gateway = new RunningMain(args(List.of("--policy", policy.toString()), calls))) {
      assertThat(gateway.tools()).containsExactly("create_compile");
      Path next = dir.resolve("next.json");
      Files.writeString(next, SEED.replace("\"tools\":{", "\"tools\":{\"echo\":{},"));
      Files.move(next, policy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!gateway.tools().contains("echo") && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(gateway.tools()).containsExactlyInAnyOrder("create_compile", "echo");
      assertThat(gateway.call("echo").isError()).isNotEqualTo(Boolean.TRUE);
    }
  }

  @Test
  void aBadPolicyOrNoCommandExitsOneBeforeStartingAnything() throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), "version: \"1\"\ntools: { t: { limits: [ { max: 1, window: minit } ] } }\n");
    Path calls = dir.resolve("calls.log");
    InputStream nothing = InputStream.nullInputStream();
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), args(List.of("--policy", dir.resolve("bad.yaml").toString()), calls)))
        .isEqualTo(1);
    Files.writeString(dir.resolve("seed.json"), SEED);
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), "--policy", dir.resolve("seed.json").toString())).isEqualTo(1);
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), "--no-such-flag")).isEqualTo(2);
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), "--policy", dir.resolve("seed.json").toString(), "--",
        dir.resolve("no-such-server").toString())).isEqualTo(1);
    assertThat(Files.exists(calls)).isFalse();
  }

  @Test
  void anUpstreamUrlThatIsNotHttpOrTogetherWithACommandExitsOne() throws Exception {
    Files.writeString(dir.resolve("seed.json"), SEED);
    String policy = dir.resolve("seed.json").toString();
    InputStream nothing = InputStream.nullInputStream();
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), "--policy", policy, "--upstream-url", "ftp://h/mcp"))
        .isEqualTo(1);
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), "--policy", policy, "--upstream-url",
        "http://127.0.0.1:1/mcp", "--", "npx", "server")).isEqualTo(1);
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), "--policy", policy, "--upstream-url",
        "http://127.0.0.1:1/mcp", "--upstream-header", "Authorization=env:TOOLGATE_TEST_UNSET_VARIABLE")).isEqualTo(1);
  }

  @Test
  void approvalsWithoutListenOrWithABadTokenFileExitOne() throws Exception {
    Files.writeString(dir.resolve("seed.json"), SEED);
    String policy = dir.resolve("seed.json").toString();
    Files.writeString(dir.resolve("approvers.tokens"), "not-a-hash alice\n");
    InputStream nothing = InputStream.nullInputStream();
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), "--policy", policy, "--approvals",
        dir.resolve("approvers.tokens").toString(), "--upstream-url", "http://127.0.0.1:1/mcp")).isEqualTo(1);
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), "--policy", policy, "--listen", "127.0.0.1:0",
        "--approvals", dir.resolve("approvers.tokens").toString(), "--upstream-url", "http://127.0.0.1:1/mcp")).isEqualTo(1);
  }

  @Test
  void webhookSettingsThatCannotWorkExitOne() throws Exception {
    Files.writeString(dir.resolve("seed.json"), SEED);
    String policy = dir.resolve("seed.json").toString();
    Path tokens = dir.resolve("approvers.tokens");
    Files.writeString(tokens, io.toolgate.approvals.ApproverTokens.hash("approver-token-1") + " risk-officer\n");
    InputStream nothing = InputStream.nullInputStream();
    List<String> base = List.of("--policy", policy, "--upstream-url", "http://127.0.0.1:1/mcp", "--listen", "127.0.0.1:0",
        "--approval-webhook", "http://127.0.0.1:1/hook");
    List<List<String>> cases = List.of(
        List.of(), // no --approvals: the links would point nowhere
        List.of("--approvals", tokens.toString()), // no secret
        List.of("--approvals", tokens.toString(), "--approval-webhook-secret-env", "TOOLGATE_TEST_UNSET_VARIABLE"),
        List.of("--approvals", tokens.toString(), "--approval-webhook-secret-env", "PATH", "--approval-webhook-format",
            "xml"),
        List.of("--approvals", tokens.toString(), "--approval-webhook-secret-env", "PATH", "--public-url", "ftp://x"));
    for (List<String> extra : cases) {
      List<String> args = new ArrayList<>(base);
      args.addAll(extra);
      assertThat(Main.run(nothing, OutputStream.nullOutputStream(), args.toArray(String[]::new))).as(extra.toString())
          .isEqualTo(1);
    }
    // the approvals key of a config file is read: without listen, it cannot start
    Files.writeString(dir.resolve("gateway.yaml"), "approvals: approvers.tokens\n");
    assertThat(Main.run(nothing, OutputStream.nullOutputStream(), "--config", dir.resolve("gateway.yaml").toString(),
        "--policy", policy, "--upstream-url", "http://127.0.0.1:1/mcp")).isEqualTo(1);
  }
}
