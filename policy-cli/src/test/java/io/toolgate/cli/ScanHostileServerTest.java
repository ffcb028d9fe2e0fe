package io.toolgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.cli.scan.ScanPolicyWriter;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyView;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code toolgate scan} against {@link RawStdioServer}, a hand-written server that lists what no
 * SDK server would: the written policy still loads, holds one exact key per writable name, is
 * bounded, and its comments carry none of the server's text.
 */
class ScanHostileServerTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
        .run(args);
  }

  static String[] scan(String mode, String... options) {
    List<String> all = new ArrayList<>(List.of("scan"));
    all.addAll(List.of(options));
    all.addAll(List.of("--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), RawStdioServer.class.getName(), mode));
    return all.toArray(String[]::new);
  }

  @Test
  void hostileNamesAndSchemasGiveAPolicyThatLoadsWithOneExactKeyPerName(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    assertThat(run(scan("hostile", "-o", policy.toString()))).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("left out, default deny refuses it: " + "n".repeat(120) + "…(+4880 chars)"
        + " (a name over 1024 characters)\n");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(policy + ": " + (RawStdioServer.NAMES.length + 8 + RawStdioServer.FILLER)
        + " tools (3023 read, 7 execute, 1 destructive)\n");
    assertThat(run("validate", policy.toString())).isZero();
    String yaml = Files.readString(policy);
    assertThat(yaml.length()).isLessThan(Policy.MAX_BYTES);

    Policy loaded = Policy.load(policy);
    Set<String> names = loaded.view().tools().stream().map(e -> ScanPolicyWriter.exactName(e.key())).collect(Collectors.toSet());
    assertThat(names).doesNotContainNull().contains(RawStdioServer.NAMES).doesNotContain(RawStdioServer.LONG_NAME)
        .contains("run_huge_description", "run_schema_true", "run_schema_list", "run_string_schema", "run_backreference",
            "run_deep", "run_empty_default", "liar", "filler_0", "filler_2999");
    assertThat(names).hasSize(RawStdioServer.NAMES.length + 8 + RawStdioServer.FILLER);

    // Each hostile name is allowed (readOnlyHint: true) and matches only itself: "*" is not every tool.
    PolicyEngine engine = PolicyEngine.of(loaded);
    CallContext agent = CallContext.of("agent-1");
    for (String name : RawStdioServer.NAMES) {
      assertThat(engine.evaluate(ToolCall.of(name, Map.of()), agent).isAllowed()).as(name).isTrue();
    }
    assertThat(engine.evaluate(ToolCall.of("anything_else", Map.of()), agent).isAllowed()).isFalse();
    assertThat(engine.evaluate(ToolCall.of("read_x", Map.of()), agent).isAllowed()).isFalse();
    assertThat(engine.evaluate(ToolCall.of("liar", Map.of()), agent).reason()).contains("may delete or destroy");

    // Comments are the scan's words only: no line of the file starts inside a name, and no control characters.
    assertThat(yaml.lines()).allSatisfy(line -> assertThat(line).doesNotStartWith("break").doesNotStartWith("b:"));
    assertThat(yaml.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
    assertThat(yaml).doesNotContain("xxxxxxxxxx").doesNotContain("Deletes everything");

    // Schemas a policy cannot hold are left out, with a note; the others are copied.
    assertThat(arguments(loaded, "run_schema_true")).isNull();
    assertThat(arguments(loaded, "run_schema_list")).isNull();
    assertThat(arguments(loaded, "run_huge_description")).isNull();
    assertThat(arguments(loaded, "run_backreference")).isNull();
    assertThat(arguments(loaded, "run_deep")).isNull();
    assertThat(arguments(loaded, "run_string_schema")).isNotNull();
    assertThat(arguments(loaded, "run_empty_default")).isNotNull();
    assertThat(yaml).contains("  # its inputSchema is not a JSON object: arguments not set\n  run_schema_true:")
        .contains("  # its inputSchema does not load as a policy's arguments: arguments not set\n  run_backreference:")
        .contains("  # its inputSchema does not describe an object: every call will be refused until arguments are edited\n");

    // --check against the same server matches every name it wrote, and still reports the one it left out.
    assertThat(run(scan("hostile", "--check", policy.toString()))).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("added: " + "n".repeat(120) + "…(+4880 chars) is not in the policy"
        + " (the scan classes it write)\ndrift: 1 finding between " + policy + " and the server\n");
  }

  private static PolicyView.Arguments arguments(Policy policy, String name) {
    return policy.view().tools().stream().filter(e -> e.key().equals(name)).findFirst().orElseThrow().arguments();
  }

  @Test
  void aCursorThatNeverEndsIsRefused() {
    assertThat(run(scan("loop"))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("toolgate scan: the server's tools/list repeats the cursor same\n");
  }
}
