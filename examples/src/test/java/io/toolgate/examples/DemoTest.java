package io.toolgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.examples.demo.Demo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The README's demo runs, exits 0 and says what it promises. It runs on a clock fixed at the start
 * of a minute, so all 25 calls land in one window without waiting for the wall clock. Going live,
 * the agent's call is held (the policy's {@code wait: 2m}), a scripted approver told by the
 * server's webhook approves it through the inbox's JSON API, and the same call returns.
 */
class DemoTest {
  private static final Clock START_OF_A_MINUTE = Clock.fixed(Instant.parse("2026-12-02T00:10:00Z"), ZoneOffset.UTC);

  @Test
  void theRunawayAgentDemoShowsEachDecision() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    int status = Demo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), START_OF_A_MINUTE);

    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(status).as(output).isZero();
    List<String> lines = output.lines().toList();
    assertThat(lines).anyMatch(l -> l.startsWith("-") && l.contains("without a bearer token") && l.contains("HTTP 401"));
    assertThat(lines).anyMatch(l -> l.startsWith("1-10 ") && l.contains("create_compile") && l.contains("ALLOW"));
    assertThat(lines)
        .anyMatch(l -> l.startsWith("11-25 ") && l.contains("RATE_LIMITED")
            && l.contains("rate limit create_compile_rate (10 per minute, per grant) reached; retry after"));
    assertThat(lines)
        .anyMatch(l -> l.startsWith("26 ") && l.contains("delete_project") && l.contains("DENY")
            && l.contains("Project deletion is not permitted for agents"));
    // going live: held, approved by risk-officer in the inbox, and the same call (27) returned the deployment
    int held = indexOf(lines, l -> l.startsWith("27 ") && l.contains("create_live_algorithm") && l.contains(" HELD ")
        && l.contains("the call waits (wait: 2m); the server posts a signed webhook for approval "));
    String id = lines.get(held).substring(lines.get(held).lastIndexOf(' ') + 1);
    int approved = indexOf(lines, l -> l.startsWith("- ")
        && l.contains("risk-officer approves in the inbox: POST /approvals/api/pending/" + id + "/approve")
        && l.contains("APPROVED") && l.contains("comment: paper-checked, go live"));
    int returned = indexOf(lines, l -> l.startsWith("27 ") && l.contains("create_live_algorithm") && l.contains(" ALLOW ")
        && l.contains("live deployment") && l.contains("of project 7 on InteractiveBrokers (the same call, returned once approved)"));
    assertThat(held).isLessThan(approved);
    assertThat(approved).isLessThan(returned);
    assertThat(lines).noneMatch(l -> l.contains("APPROVAL_REQUIRED"));
    assertThat(output).contains("create_live_algorithm 1 (after approval)");
    assertThat(lines).anyMatch(l -> l.startsWith("{\"event\":\"approval_answered\"") && l.contains(id)
        && l.contains("\"approver\":\"risk-officer\""));
    assertThat(lines)
        .anyMatch(l -> l.startsWith("29 ") && l.contains("DENY")
            && l.contains("arguments do not match the schema") && l.contains("required key [compileId] not found"));
    assertThat(output).contains("Audit, 29 JSON Lines");
    assertThat(lines.stream().filter(l -> l.startsWith("{\"time\":")).count()).isEqualTo(29);
    assertThat(output).contains("demo OK").doesNotContain("waiting");
    assertThat(lines).contains(
        "toolgate_decisions_total{kind=\"allow\",rule=\"entry\",tool=\"create_compile\"} 10.0",
        "toolgate_decisions_total{kind=\"rate_limited\",rule=\"limit\",tool=\"create_compile\"} 15.0");
    assertThat(lines.stream().filter(l -> l.startsWith("{\"time\":\"2026-12-02T00:10:00Z\"")).count())
        .as("every audit line is stamped by the injected clock")
        .isEqualTo(29);
  }

  private static int indexOf(List<String> lines, Predicate<String> line) {
    for (int i = 0; i < lines.size(); i++) {
      if (line.test(lines.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no such line in:\n" + String.join("\n", lines));
  }
}
