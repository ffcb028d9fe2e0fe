package io.toolgate.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.engine.audit.JsonLinesAuditSink;
import io.toolgate.examples.mcpserver.QuantConnectServer;
import io.toolgate.mcp.McpToolGuard;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The README's demo: a runaway agent, a real MCP client, against the guarded QuantConnect-like
 * server over streamable HTTP on a loopback port. Prints a table of calls and decisions and the
 * audit lines, checks that each decision is the one the policy promises, and exits 0 if so. The
 * agent's {@code create_live_algorithm} call waits for a person ({@code wait: 2m} in the policy);
 * a scripted approver, told by the server's signed webhook, approves it through the approvals
 * inbox's JSON API, and the same call returns the deployment.
 *
 * <p>{@code --approve-in-browser [--port N]} runs {@link InBrowser} instead: a person approves the
 * call in the inbox.
 */
public final class Demo {
  static final String TOKEN = "demo-agent-token";
  static final String USAGE = "usage: java -jar toolgate-demo.jar [--approve-in-browser [--port N]]";
  /** Marks a row that continues the call before it (the same number). */
  private static final int SAME_CALL = -2;
  static final ObjectMapper JSON = new ObjectMapper();

  private Demo() {}

  public static void main(String[] args) throws Exception {
    int status;
    if (args.length == 0) {
      status = run(System.out);
    } else if (args[0].equals("--approve-in-browser") && (args.length == 1
        || args.length == 3 && args[1].equals("--port") && args[2].matches("[0-9]{1,5}") && Integer.parseInt(args[2]) <= 65535)) {
      status = InBrowser.run(System.out, args.length == 3 ? Integer.parseInt(args[2]) : 0);
    } else {
      System.err.println(USAGE);
      status = 2;
    }
    System.out.flush();
    System.exit(status);
  }

  /** One line of the table: call numbers, the call, the decision, what the agent read. */
  record Row(String numbers, String call, String decision, String detail) {}

  /**
   * Runs the demo on the system clock, printing to {@code out}; returns the exit status (0 when all
   * went as promised).
   */
  public static int run(PrintStream out) throws IOException, InterruptedException {
    return run(out, Clock.systemUTC());
  }

  /**
   * Runs the demo with {@code clock} as the engine's clock (its windows, approvals and audit
   * times), printing to {@code out}; returns the exit status (0 when all went as promised). The
   * demo waits for a fresh minute only when {@code clock} says fewer than 5 seconds are left in
   * the current one, so a fixed clock early in a minute never waits.
   */
  public static int run(PrintStream out, Clock clock) throws IOException, InterruptedException {
    Path auditFile = Files.createTempFile("toolgate-demo-audit-", ".jsonl");
    List<Row> rows = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int compileRuns;
    int deleteRuns;
    int liveRuns;
    List<String> metricLines;
    try (JsonLinesAuditSink audit = JsonLinesAuditSink.builder().includeArguments(true).toFile(auditFile);
        ScriptedApprover approver = ScriptedApprover.start("create_live_algorithm", "paper-checked, go live");
        QuantConnectServer server = QuantConnectServer.start(new QuantConnectServer.Options().audit(audit).clock(clock)
            .approvalWebhook(approver.webhookUrl(), approver.secret(), false))) {
      out.println("Toolgate demo: a runaway agent against a QuantConnect-like MCP server");
      out.println("server : " + server.endpoint() + " (MCP streamable HTTP, embedded Tomcat, 127.0.0.1)");
      out.println("policy : " + QuantConnectServer.POLICY_RESOURCE);
      out.println("agent  : principal agent-7, role quant (Authorization: Bearer " + TOKEN + ")");
      out.println("inbox  : " + server.inboxUrl() + " (a scripted approver, told by the server's signed webhook,"
          + " answers there with " + ScriptedApprover.APPROVER_TOKEN + ")");
      out.println();

      int status = postWithoutToken(server.endpoint());
      rows.add(new Row("-", "POST /mcp without a bearer token", "HTTP " + status, "refused before any tool runs"));
      expect(problems, status == 401, "a request without a token gets HTTP 401, got " + status);

      McpSyncClient agent = agent(server);
      try {
        agent.initialize();
        List<Outcome> outcomes = new ArrayList<>();
        waitForRoomInTheMinute(out, clock);

        // 1. The runaway loop: 25 compiles in a few hundred milliseconds.
        for (int i = 0; i < 25; i++) {
          outcomes.add(call(agent, "create_compile", Map.of("projectId", 7)));
        }
        long allowed = outcomes.stream().filter(o -> o.decision.equals("ALLOW")).count();
        long limited = outcomes.stream().filter(o -> o.decision.equals("RATE_LIMITED") && o.retryAfterSeconds > 0).count();
        expect(problems, allowed == 10, "10 compiles allowed, got " + allowed);
        expect(problems, limited == 15, "15 compiles refused with a retry-after, got " + limited);

        // 2. Deleting a project is never allowed.
        Outcome delete = call(agent, "delete_project", Map.of("projectId", 7));
        outcomes.add(delete);
        expect(problems, delete.decision.equals("DENY"), "delete_project denied, got " + delete.decision);

        // 3. Going live waits for a person: the call is held while the approver answers in the inbox.
        Map<String, Object> live = ordered("projectId", 7, "compileId", "c-1", "brokerage", "InteractiveBrokers");
        Outcome goLive = call(agent, "create_live_algorithm", live);
        ScriptedApprover.Approval approval = approval(approver, problems);
        if (approval != null) {
          outcomes.add(new Outcome(0, goLive.call, "HELD", "the call waits (wait: 2m); the server posts a signed webhook for approval "
              + approval.id(), 0, approval.id()));
          outcomes.add(new Outcome(-1, approval.approver() + " approves in the inbox: POST " + approval.apiPath(),
              approval.status() == 200 ? "APPROVED" : "HTTP " + approval.status(), "comment: " + approval.comment(), 0, null));
          expect(problems, approval.status() == 200 && "risk-officer".equals(approval.approver()),
              "risk-officer's approval through the inbox API to succeed, got HTTP " + approval.status());
        }
        outcomes.add(new Outcome(approval != null ? SAME_CALL : 0, goLive.call, goLive.decision, goLive.detail
            + (goLive.decision.equals("ALLOW") ? " (the same call, returned once approved)" : ""), 0, goLive.approvalId));
        expect(problems, goLive.decision.equals("ALLOW"), "the held call to return the deployment once approved, got " + goLive.decision);

        // 4. Backtests must match the argument schema.
        Outcome backtest = call(agent, "create_backtest", ordered("projectId", 7, "compileId", "c-1", "backtestName", "momentum"));
        outcomes.add(backtest);
        expect(problems, backtest.decision.equals("ALLOW"), "a well-formed backtest runs, got " + backtest.decision);
        Outcome malformed = call(agent, "create_backtest", ordered("projectId", "seven", "backtestName", ""));
        outcomes.add(malformed);
        expect(problems, malformed.decision.equals("DENY") && malformed.detail.contains("schema"),
            "a malformed backtest is refused with the schema error, got " + malformed.decision + ": " + malformed.detail);

        rows.addAll(collapse(outcomes));
      } finally {
        agent.closeGracefully();
      }
      metricLines = compileDecisions(server.baseUrl() + "/metrics");
      compileRuns = server.tools().runs("create_compile");
      deleteRuns = server.tools().runs("delete_project");
      liveRuns = server.tools().runs("create_live_algorithm");
    }
    expect(problems, compileRuns == 10, "create_compile ran 10 times, ran " + compileRuns);
    expect(problems, deleteRuns == 0, "delete_project never ran, ran " + deleteRuns);
    expect(problems, liveRuns == 1, "create_live_algorithm ran once, after approval, ran " + liveRuns);

    printTable(out, rows);
    out.println();
    out.println("The runaway loop: 10 compiles allowed, 15 refused with a retry-after (10 a minute per grant).");
    out.println("Going live: the agent's one create_live_algorithm call was held until risk-officer approved it in the"
        + " inbox, then returned the deployment.");
    out.println("Server side: create_compile ran " + compileRuns + " times, create_live_algorithm " + liveRuns
        + " (after approval), delete_project " + deleteRuns + "; no refused call reached a tool.");
    out.println();
    List<String> auditLines = Files.readAllLines(auditFile, StandardCharsets.UTF_8);
    long answers = auditLines.stream().filter(l -> l.startsWith("{\"event\":\"approval_answered\"")).count();
    out.println("Audit, " + (auditLines.size() - answers) + " JSON Lines of decisions and " + answers
        + " of approval answers (" + auditFile + "):");
    auditLines.forEach(out::println);
    Files.deleteIfExists(auditFile);
    out.println();
    out.println("Metrics: create_compile's decisions from GET /metrics (Prometheus text, " + metricLines.size() + " lines):");
    metricLines.forEach(out::println);
    expect(problems, metricLines.stream().anyMatch(l -> l.contains("kind=\"allow\"") && l.endsWith(" 10.0"))
        && metricLines.stream().anyMatch(l -> l.contains("kind=\"rate_limited\"") && l.endsWith(" 15.0")),
        "/metrics to count 10 allows and 15 rate limits for create_compile, got " + metricLines);
    out.println();
    if (problems.isEmpty()) {
      out.println("demo OK: every decision was the one the policy promises");
      return 0;
    }
    problems.forEach(p -> out.println("demo FAILED: expected " + p));
    return 1;
  }

  /** What the scripted approver did, once the agent's call has returned; null (and a problem) if it did nothing. */
  private static ScriptedApprover.Approval approval(ScriptedApprover approver, List<String> problems) throws InterruptedException {
    try {
      // the agent's call has returned: an approver that answered has answered by now; the timeout is a hang guard
      return approver.approval().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      problems.add("the scripted approver to approve the held call through the inbox, but: " + e);
      return null;
    }
  }

  /** One call as the agent saw it. */
  record Outcome(int number, String call, String decision, String detail, long retryAfterSeconds, String approvalId) {}

  /** The agent: an MCP client of {@code server} as agent-7. */
  static McpSyncClient agent(QuantConnectServer server) {
    return McpClient.sync(
            HttpClientStreamableHttpTransport.builder(server.baseUrl())
                .endpoint("/mcp")
                .addHttpRequestCustomizer(
                    (request, method, uri, body, context) -> request.header("Authorization", "Bearer " + TOKEN))
                .build())
        // longer than the policy's wait: 2m, so a held call ends by the policy, not the client
        .requestTimeout(Duration.ofMinutes(3))
        .build();
  }

  static Outcome call(McpSyncClient agent, String tool, Map<String, Object> args) throws IOException {
    CallToolResult result = agent.callTool(CallToolRequest.builder(tool).arguments(args).build());
    String text =
        !result.content().isEmpty() && result.content().get(0) instanceof McpSchema.TextContent content
            ? content.text()
            : "";
    String decision = "ALLOW";
    long retryAfter = 0;
    String approvalId = null;
    if (Boolean.TRUE.equals(result.isError())) {
      Object meta = result.meta() == null ? null : result.meta().get(McpToolGuard.META_KEY);
      if (meta == null) {
        decision = "TOOL ERROR";
      } else {
        JsonNode d = JSON.valueToTree(meta);
        decision = d.path("kind").asText().toUpperCase(Locale.ROOT);
        retryAfter = d.path("retryAfterSeconds").asLong();
        approvalId = d.path("approvalId").isTextual() ? d.path("approvalId").asText() : null;
      }
    }
    return new Outcome(0, tool + " " + JSON.writeValueAsString(args), decision, text, retryAfter, approvalId);
  }

  /** Consecutive calls with the same call and decision become one row ("1-10"). */
  private static List<Row> collapse(List<Outcome> calls) {
    List<Outcome> outcomes = new ArrayList<>();
    int number = 0;
    for (Outcome o : calls) {
      int n = o.number == SAME_CALL ? number : o.number < 0 ? o.number : ++number;
      outcomes.add(new Outcome(n, o.call, o.decision, o.detail, o.retryAfterSeconds, o.approvalId));
    }
    List<Row> rows = new ArrayList<>();
    int i = 0;
    while (i < outcomes.size()) {
      Outcome first = outcomes.get(i);
      int j = i;
      while (j + 1 < outcomes.size() && first.number >= 0
          && outcomes.get(j + 1).call.equals(first.call) && outcomes.get(j + 1).decision.equals(first.decision)) {
        j++;
      }
      Outcome last = outcomes.get(j);
      String numbers = first.number < 0 ? "-" : j == i ? "" + first.number : first.number + "-" + last.number;
      String detail = j == i ? first.detail : first.detail + (first.decision.equals("ALLOW") ? " ... " + last.detail : "");
      rows.add(new Row(numbers, first.call, first.decision, detail));
      i = j + 1;
    }
    return rows;
  }

  private static void printTable(PrintStream out, List<Row> rows) {
    int w0 = "#".length();
    int w1 = "call".length();
    int w2 = "decision".length();
    for (Row r : rows) {
      w0 = Math.max(w0, r.numbers.length());
      w1 = Math.max(w1, r.call.length());
      w2 = Math.max(w2, r.decision.length());
    }
    String format = "%-" + w0 + "s  %-" + w1 + "s  %-" + w2 + "s  %s%n";
    out.printf(format, "#", "call", "decision", "what the agent read");
    out.printf(format, "-".repeat(w0), "-".repeat(w1), "-".repeat(w2), "-".repeat(19));
    for (Row r : rows) {
      out.printf(format, r.numbers, r.call, r.decision, r.detail);
    }
  }

  /** The {@code toolgate_decisions_total} lines of {@code create_compile}, scraped as Prometheus would. */
  private static List<String> compileDecisions(String metricsUrl) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(metricsUrl)).GET().build();
    String scrape = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
    return scrape.lines()
        .filter(l -> l.startsWith("toolgate_decisions_total{") && l.contains("tool=\"create_compile\""))
        .sorted()
        .toList();
  }

  private static int postWithoutToken(String endpoint) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(endpoint))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"delete_project\",\"arguments\":{\"projectId\":7}}}"))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /**
   * The seed's limit counts in fixed, calendar-aligned minutes. The 25 calls take well under a
   * second; if fewer than 5 seconds are left in this minute, wait for the next one so that they
   * all land in one window, as a runaway loop's would.
   */
  private static void waitForRoomInTheMinute(PrintStream out, Clock clock) throws InterruptedException {
    LocalTime now = LocalTime.now(clock.withZone(ZoneOffset.UTC));
    int left = 60 - now.getSecond();
    if (left < 5) {
      out.println("(waiting " + left + "s for a fresh minute so all 25 calls land in one window)");
      Thread.sleep(left * 1000L + 100);
    }
  }

  private static void expect(List<String> problems, boolean ok, String what) {
    if (!ok) {
      problems.add(what);
    }
  }

  static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
