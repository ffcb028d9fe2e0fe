package io.toolgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: output formats and exit codes. */
class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
        .run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void validateListsEveryProblemWithItsLocationAndExitsOne(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, String.join("\n",
        "version: '1'",
        "tools:",
        "  create_compile:",
        "    limits:",
        "      - max: 10",
        "        window: minit",
        "        windw: 60",
        ""));
    Path good = dir.resolve("good.json");
    Files.writeString(good, "{\"version\":\"1\"}");
    assertThat(run("validate", good.toString(), bad.toString())).isEqualTo(1);
    assertThat(out()).isEqualTo(String.join("\n",
        good + ": ok",
        bad + ": /tools/create_compile/limits/0/window (line 6, col 17): \"minit\" is not a window; expected second,"
            + " minute, hour, day, a number of seconds or a duration like 30s",
        bad + ": /tools/create_compile/limits/0/windw (line 7, col 9): unknown key \"windw\"; did you mean \"window\"?"
            + " (expected one of algorithm, cost, cost_from, counter, max, refund_on_error, scope, window)",
        bad + ": 2 problems",
        ""));
  }

  @Test
  void validatePassesGoodFilesAndReportsUnreadableOnes(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, "version: '1'\n");
    assertThat(run("validate", good.toString())).isZero();
    assertThat(run("validate", dir.resolve("missing.yaml").toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing.yaml").contains("cannot read");
  }

  @Test
  void testPrintsFailuresThenTheCount(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a-pass.yaml"), String.join("\n",
        "name: passes",
        "policy: {version: '1', tools: {t: {}}}",
        "steps:",
        "  - {call: t, identity: a, expect: allow}",
        ""));
    Files.writeString(dir.resolve("b-fail.yaml"), String.join("\n",
        "name: fails",
        "policy: {version: '1'}",
        "steps:",
        "  - {call: t, identity: a, expect: allow}",
        ""));
    assertThat(run("test", dir.toString())).isEqualTo(1);
    String[] lines = out().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).startsWith(dir.resolve("b-fail.yaml") + ": step 1: expected allow, got deny (Policy denied t: not permitted");
    assertThat(lines[1]).isEqualTo("1 passed, 1 failed");
    out.reset();
    assertThat(run("test", dir.resolve("a-pass.yaml").toString())).isZero();
    assertThat(out()).isEqualTo("1 passed, 0 failed\n");
  }

  @Test
  void explainPrintsTheDecisionAndEveryCheckThatLedToIt(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("p.yaml");
    Files.writeString(policy, String.join("\n",
        "version: '1'",
        "tools:",
        "  pay:",
        "    conditions: [{path: args.amount, op: lte, value: 100, reason: at most 100}]",
        "  admin: {action: deny, reason: admins only}",
        "grants:",
        "  ops: {tools: {admin: {action: allow}}}",
        ""));
    assertThat(run("explain", policy.toString(), "pay", "--args", "{\"amount\": 60}", "--identity", "agent-1")).isZero();
    assertThat(out()).contains("ALLOW by /tools/pay").contains("args.amount lte 100: holds (args.amount is 60)");
    out.reset();
    assertThat(run("explain", policy.toString(), "pay", "--args", "{\"amount\": 101}")).isEqualTo(1);
    assertThat(out()).contains("DENY").contains("at most 100").contains("fails (args.amount is 101)");
    out.reset();
    assertThat(run("explain", policy.toString(), "admin", "--identity", "bob", "--roles", "ops,dev", "--session", "s1"))
        .as("deny overrides the grant").isEqualTo(1);
    assertThat(out()).contains("admins only");
    assertThat(run("explain", policy.toString(), "pay", "--args", "{not json")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--args is not JSON");
    assertThat(run("explain", policy.toString(), "pay", "--colour", "red")).isEqualTo(2);
    assertThat(run("explain", policy.toString())).isEqualTo(2);
  }

  @Test
  void testWithCoveragePrintsTheReportBeforeTheCountAndCanFailOnAMinimum(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("policy.yaml"), String.join("\n",
        "version: '1'",
        "tools:",
        "  compile: {rate_limit: 2/minute}",
        "  delete: {action: deny, reason: never}",
        ""));
    Path scenarios = Files.createDirectory(dir.resolve("scenarios"));
    Files.writeString(scenarios.resolve("a.yaml"), String.join("\n",
        "name: compiles",
        "policy_file: ../policy.yaml",
        "steps:",
        "  - {call: compile, identity: a, repeat: 2, expect: allow}",
        ""));
    assertThat(run("test", "--coverage", scenarios.resolve("a.yaml").toString())).isZero();
    assertThat(out()).isEqualTo(String.join("\n",
        "policy.yaml: 1 of 4 rules decided a call".replace("policy.yaml", dir.resolve("policy.yaml").toString()),
        "  never        /default                   default",
        "  decided 2    /tools/compile             allow entry",
        "  never        /tools/compile/rate_limit  limit",
        "  never        /tools/delete              deny entry",
        "coverage: 1 of 4 rules decided at least one call (25.0%)",
        "1 passed, 0 failed",
        ""));
    out.reset();
    Files.writeString(scenarios.resolve("b.yaml"), String.join("\n",
        "name: the third compile is limited, and deletion denied",
        "policy_file: ../policy.yaml",
        "steps:",
        "  - {call: compile, identity: a, repeat: 2, expect: allow}",
        "  - {call: compile, identity: a, expect: rate_limited}",
        "  - {call: delete, identity: a, expect: deny}",
        "  - {call: other, identity: a, expect: deny}",
        ""));
    assertThat(run("test", "--coverage-min", "100", scenarios.toString())).isZero();
    String[] lines = out().split("\n");
    assertThat(lines[lines.length - 2]).isEqualTo("coverage: 4 of 4 rules decided at least one call (100.0%)");
    assertThat(lines[lines.length - 1]).isEqualTo("2 passed, 0 failed");
    out.reset();
    assertThat(run("test", "--coverage-min=80", scenarios.resolve("a.yaml").toString())).as("25% < 80%").isEqualTo(1);
    lines = out().split("\n");
    assertThat(lines[lines.length - 2]).isEqualTo("coverage 25.0% is below the minimum 80%");
    assertThat(lines[lines.length - 1]).isEqualTo("1 passed, 0 failed");
    out.reset();
    assertThat(run("test", scenarios.toString())).as("no report without the option").isZero();
    assertThat(out()).isEqualTo("2 passed, 0 failed\n");
    assertThat(run("test", "--coverage-min", "120", dir.toString())).isEqualTo(2);
    assertThat(run("test", "--coverage-min", "lots", dir.toString())).isEqualTo(2);
    assertThat(run("test", "--coverage-min")).isEqualTo(2);
    assertThat(run("test", "--colour", dir.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--coverage-min needs a percentage").contains("unknown option --colour");
  }

  @Test
  void explainTakesArgumentsFromAFileAndAttributes(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("p.yaml");
    Files.writeString(policy, String.join("\n",
        "version: '1'",
        "tools:",
        "  pay:",
        "    conditions:",
        "      - {path: args.amount, op: lte, value: 100}",
        "      - {path: identity.attributes.team, op: eq, value: red, reason: red team only}",
        ""));
    Path args = dir.resolve("args.yaml");
    Files.writeString(args, "amount: 60\n");
    assertThat(run("explain", policy.toString(), "pay", "--args-file", args.toString(), "--identity", "agent-1",
        "--attributes", "{\"team\": \"red\"}")).isZero();
    assertThat(out()).startsWith("call \"pay\" {\"amount\":60} as agent-1, attributes {team=red}\n")
        .contains("identity.attributes.team eq \"red\": holds").contains("ALLOW by /tools/pay");
    out.reset();
    assertThat(run("explain", policy.toString(), "pay", "--args-file", args.toString())).isEqualTo(1);
    assertThat(out()).startsWith("call \"pay\" {\"amount\":60} as an anonymous caller\n").contains("red team only");
    Files.writeString(args, "{\"amount\": ");
    assertThat(run("explain", policy.toString(), "pay", "--args-file", args.toString())).isEqualTo(2);
    assertThat(run("explain", policy.toString(), "pay", "--args-file", dir.resolve("none.json").toString())).isEqualTo(2);
    assertThat(run("explain", policy.toString(), "pay", "--attributes", "[1]")).isEqualTo(2);
    assertThat(run("explain", policy.toString(), "pay", "--attributes", "{")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not JSON or YAML").contains("cannot read")
        .contains("--attributes must be a JSON object").contains("--attributes is not JSON");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(run("validate")).isEqualTo(2);
    assertThat(run("test", "/no/such/dir")).isEqualTo(2);
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("validate").contains("test");
  }

  @Test
  void versionHelpPerCommandAndCompletion() {
    assertThat(run("--version")).isZero();
    assertThat(out()).startsWith("toolgate ").doesNotContain("unknown version");
    out.reset();
    assertThat(run("help", "test")).isZero();
    assertThat(out()).contains("Usage: toolgate test").contains("--coverage-min=PERCENT").contains("SCENARIOS");
    out.reset();
    assertThat(run("explain", "--help")).isZero();
    assertThat(out()).contains("Usage: toolgate explain").contains("--args-file=FILE").contains("--attributes=JSON");
    out.reset();
    assertThat(run("validate", "-h")).isZero();
    assertThat(out()).contains("Usage: toolgate validate");
    out.reset();
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("generate-completion").contains("explain");
    out.reset();
    assertThat(run("generate-completion")).isZero();
    assertThat(out()).contains("complete -F").contains("validate").contains("--coverage-min");
  }

  @Test
  void usageErrorsNameTheProblemAndShowTheCommandsUsage() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("unknown command \"frobnicate\"").contains("Usage: toolgate");
    err.reset();
    assertThat(run("test", "--colour", "x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("unknown option --colour").contains("Usage: toolgate test");
    err.reset();
    assertThat(run("explain", "p.yaml", "t", "--args", "{}", "--args-file", "a.json")).as("one of --args, --args-file").isEqualTo(2);
  }
}
