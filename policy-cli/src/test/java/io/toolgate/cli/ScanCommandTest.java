package io.toolgate.cli;

import io.toolgate.mcp.LoopbackTomcat;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyView;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code toolgate scan} against real MCP SDK servers: {@link ScanTestServer} as a child process
 * over stdio, and SDK servers on streamable HTTP in an embedded Tomcat, each offering a {@link
 * ScanTools} set.
 */
class ScanCommandTest {
  static final String API_KEY = "k-123";
  static LoopbackTomcat tomcat;
  static final List<McpSyncServer> servers = new ArrayList<>();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** Refuses a request without the API key, as a hosted server would. */
  static final class RequireKey extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      if (API_KEY.equals(request.getHeader("X-Api-Key"))) {
        chain.doFilter(request, response);
      } else {
        response.sendError(401);
      }
    }
  }

  @BeforeAll
  static void start() {
    tomcat = new LoopbackTomcat();
    for (String set : List.of("base", "changed")) {
      var transport = HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/" + set + "/mcp").build();
      servers.add(McpServer.sync(transport)
          .serverInfo("scan-http-" + set, "1")
          .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
          .tools(ScanTools.specifications(set))
          .build());
      tomcat.serve("/" + set + "/mcp", transport);
    }
    tomcat.filter("/base/*", new RequireKey()).filter("/changed/*", new RequireKey()).start();
  }

  @AfterAll
  static void stop() throws Exception {
    servers.forEach(McpSyncServer::close);
    if (tomcat != null) {
      tomcat.close();
    }
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
        .run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** {@code java -cp <test classpath> ScanTestServer <set>}. */
  static List<String> stdio(String set) {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ScanTestServer.class.getName(), set);
  }

  static String[] args(List<String> first, List<String> then) {
    List<String> all = new ArrayList<>(first);
    all.addAll(then);
    return all.toArray(String[]::new);
  }

  /** The class each entry's comment names, by key. */
  static Map<String, String> classes(String yaml) {
    Map<String, String> classes = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^  # (read|write|execute|financial|destructive): .*\\n(?:  # .*\\n)*  ([^ #][^:]*):").matcher(yaml);
    while (m.find()) {
      classes.put(m.group(2), m.group(1));
    }
    return classes;
  }

  @Test
  void scanOverStdioWritesAPolicyThatLoadsValidatesAndClassesEachToolAsItsAnnotationsSay(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    assertThat(run(args(List.of("scan", "-o", policy.toString(), "--"), stdio("base")))).as(err()).isZero();
    assertThat(out()).isEqualTo(policy + ": 10 tools (3 read, 1 write, 2 execute, 2 financial, 2 destructive)\n");

    String yaml = Files.readString(policy);
    assertThat(classes(yaml)).isEqualTo(ScanTools.BASE_CLASSES.entrySet().stream()
        .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll))
        .containsAllEntriesOf(ScanTools.BASE_CLASSES).hasSize(ScanTools.BASE_CLASSES.size());
    assertThat(yaml).contains("  # read: annotation readOnlyHint: true\n  read_project:\n")
        .contains("  # destructive: annotation destructiveHint: true\n  delete_project:\n")
        .contains("  # write: annotation readOnlyHint: false; annotation destructiveHint: false; name word \"update\";"
            + " idempotentHint: true; openWorldHint: false\n  update_file:\n")
        .startsWith("# Written by toolgate scan: 10 tools.");
    assertThat(run("validate", policy.toString())).isZero();

    Policy loaded = Policy.load(policy);
    assertThat(loaded.view().defaultAllow()).isFalse();
    PolicyView.Entry compile = entry(loaded, "create_compile");
    assertThat(compile.limits()).singleElement().satisfies(limit -> {
      assertThat(limit.maxMillionths()).isEqualTo(10_000_000L);
      assertThat(limit.window()).hasMinutes(1);
      assertThat(limit.scope()).isEqualTo("grant");
    });
    assertThat(compile.arguments().schema()).isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(ScanTools.COMPILE_SCHEMA));
    assertThat(entry(loaded, "update_file").limits()).singleElement().satisfies(l -> assertThat(l.maxMillionths()).isEqualTo(30_000_000L));
    assertThat(entry(loaded, "delete_project").action()).isEqualTo(PolicyView.Action.DENY);
    assertThat(entry(loaded, "create_live_algorithm").action()).isEqualTo(PolicyView.Action.REQUIRE_APPROVAL);

    PolicyEngine engine = PolicyEngine.of(loaded);
    CallContext agent = CallContext.of("agent-1");
    assertThat(engine.evaluate(ToolCall.of("read_project", Map.of()), agent).isAllowed()).isTrue();
    assertThat(engine.evaluate(ToolCall.of("create_compile", Map.of("projectId", 7)), agent).isAllowed()).isTrue();
    assertThat(engine.evaluate(ToolCall.of("create_compile", Map.of("projectId", 0)), agent)).isInstanceOf(Decision.Deny.class);
    assertThat(engine.evaluate(ToolCall.of("delete_project", Map.of()), agent).reason()).contains("may delete or destroy");
    assertThat(engine.evaluate(ToolCall.of("not_listed", Map.of()), agent)).isInstanceOf(Decision.Deny.class);
  }

  private static PolicyView.Entry entry(Policy policy, String key) {
    return policy.view().tools().stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow();
  }

  @Test
  void approveDestructiveHoldsDestructiveToolsAndOnlyAndExcludePickTools(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    assertThat(run(args(List.of("scan", "--approve-destructive", "--only", "*_project", "--only", "*_file",
        "--exclude", "read_*", "-o", policy.toString(), "--"), stdio("base")))).as(err()).isZero();
    Policy loaded = Policy.load(policy);
    assertThat(loaded.view().tools()).extracting(PolicyView.Entry::key)
        .containsExactly("update_file", "delete_project", "remove_file");
    assertThat(entry(loaded, "delete_project").action()).isEqualTo(PolicyView.Action.REQUIRE_APPROVAL);
    assertThat(entry(loaded, "remove_file").reason()).contains("a person approves each call");
  }

  @Test
  void scanOverStreamableHttpSendsTheHeadersAndWritesThePolicyToStandardOutput() {
    String url = tomcat.url() + "/base/mcp";
    assertThat(run("scan", "--url", url, "--header", "X-Api-Key=" + API_KEY)).as(err()).isZero();
    assertThat(classes(out())).containsAllEntriesOf(ScanTools.BASE_CLASSES).hasSize(ScanTools.BASE_CLASSES.size());
    assertThat(Policy.parse(out()).view().tools()).hasSize(10);
    assertThat(err()).isEqualTo("10 tools (3 read, 1 write, 2 execute, 2 financial, 2 destructive)\n");

    assertThat(run("scan", "--url", url)).isEqualTo(2);
    assertThat(err()).startsWith("toolgate scan: cannot list the server's tools: ");
    assertThat(out()).isEmpty();
  }

  @Test
  void checkIsCleanAgainstTheServerItWasScannedFrom(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    assertThat(run("scan", "--url", tomcat.url() + "/base/mcp", "--header", "X-Api-Key=" + API_KEY, "-o", policy.toString())).isZero();
    assertThat(run(args(List.of("scan", "--check", policy.toString(), "--"), stdio("base")))).as(out() + err()).isZero();
    assertThat(out()).isEqualTo("no drift: 10 tools listed, all in " + policy + "\n");
  }

  @Test
  void checkFindsAnAddedToolARemovedToolAndAChangedSchemaAndExitsOne(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    assertThat(run(args(List.of("scan", "-o", policy.toString(), "--"), stdio("base")))).isZero();
    assertThat(run("scan", "--check", policy.toString(), "--url", tomcat.url() + "/changed/mcp", "--header", "X-Api-Key=" + API_KEY))
        .as(err()).isEqualTo(1);
    String[] lines = out().split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[0]).isEqualTo("added: create_optimization is not in the policy (the scan classes it execute)");
    assertThat(lines[1]).isEqualTo("removed: list_backtests is no longer listed by the server (/tools/list_backtests)");
    assertThat(lines[2]).matches("changed: create_compile has a new inputSchema since its arguments were taken"
        + " \\(/tools/create_compile: sha256:[0-9a-f]{12} then, sha256:[0-9a-f]{12} now\\)");
    assertThat(lines[3]).isEqualTo("drift: 3 findings between " + policy + " and the server");
  }

  @Test
  void checkWithoutTheScansMarkComparesArgumentsWithTheSchemaCanonicallyAndGlobsCoverTools(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, String.join("\n",
        "version: '1'",
        "tools:",
        "  create_compile:",
        "    arguments: {properties: {projectId: {minimum: 1.0, type: integer}}, required: [projectId], type: object}",
        "  create_backtest:",
        "    arguments: {type: object}",
        "  '*_file': {}",
        "  '[rdlp]*': {}",
        "  'create_live_*': {}",
        "  project_summary: {}",
        ""));
    assertThat(run(args(List.of("scan", "--check", policy.toString(), "--"), stdio("base")))).as(err()).isEqualTo(1);
    assertThat(out()).isEqualTo(String.join("\n",
        "changed: create_backtest has an inputSchema that differs from its arguments (/tools/create_backtest/arguments)",
        "drift: 1 finding between " + policy + " and the server",
        ""));
  }

  @Test
  void usageErrorsAndAServerThatCannotStartExitTwo(@TempDir Path dir) throws Exception {
    assertThat(run("scan")).isEqualTo(2);
    assertThat(err()).startsWith("name the server once: --command \"CMD ARGS\", -- CMD ARGS, or --url URL");
    assertThat(run("scan", "--url", "ftp://example.org/mcp")).isEqualTo(2);
    assertThat(run("scan", "--command", "x", "--header", "A=b")).isEqualTo(2);
    assertThat(err()).startsWith("--header applies to --url only");
    assertThat(run("scan", "--check", dir.resolve("missing.yaml").toString(), "--command", "x")).isEqualTo(2);
    assertThat(err()).contains("missing.yaml: cannot read");
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "version: '1'\ntools: {t: {action: maybe}}\n");
    assertThat(run("scan", "--check", bad.toString(), "--command", "x")).isEqualTo(2);
    assertThat(err()).startsWith(bad + ": /tools/t/action").endsWith(bad + ": does not load; nothing checked\n");
    assertThat(run("scan", "--check", bad.toString(), "-o", "out.yaml", "--command", "x")).isEqualTo(2);
    assertThat(err()).startsWith("--check reads a policy: -o and --approve-destructive do not apply");
    assertThat(run("scan", "--command", dir.resolve("no-such-server").toString())).isEqualTo(2);
    assertThat(err()).isEqualTo("toolgate scan: cannot run " + dir.resolve("no-such-server") + ": no such executable file\n");
    assertThat(run("scan", "--command", "no-such-program-on-the-path")).isEqualTo(2);
    assertThat(err()).isEqualTo("toolgate scan: cannot run no-such-program-on-the-path: not found on the PATH\n");
  }

  @Test
  void aServerThatNeverAnswersIsReportedWithTheEndOfItsStandardError() {
    assertThat(run("scan", "--timeout", "15", "--", "sh", "-c", "echo starting >&2; echo 'fatal: no API key' >&2; exec sleep 60"))
        .isEqualTo(2);
    assertThat(err()).startsWith("toolgate scan: cannot list the server's tools: no reply within 15 s")
        .endsWith("; the server's standard error ended with:\n  starting\n  fatal: no API key\n");
  }

  @Test
  void commandStringsSplitAtSpacesWithQuotesGroupingWords() {
    assertThat(ScanCommand.words("docker run -i --rm 'quantconnect/mcp-server' \"a b\" c\"d e\"f"))
        .containsExactly("docker", "run", "-i", "--rm", "quantconnect/mcp-server", "a b", "cd ef");
    assertThat(ScanCommand.words("  ")).isEmpty();
  }
}
