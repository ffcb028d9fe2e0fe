package io.toolgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.examples.demo.Demo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's demo runs, exits 0 and says what it promises. */
class DemoTest {
  @Test
  void theRunawayAgentDemoShowsEachDecision() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    int status = Demo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));

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
    assertThat(lines).anyMatch(l -> l.startsWith("27 ") && l.contains("APPROVAL_REQUIRED") && l.contains("approval id"));
    assertThat(lines).anyMatch(l -> l.contains("risk-officer@example.com approves") && l.contains("APPROVED"));
    assertThat(lines).anyMatch(l -> l.startsWith("28 ") && l.contains("create_live_algorithm") && l.contains("ALLOW"));
    assertThat(lines)
        .anyMatch(l -> l.startsWith("30 ") && l.contains("DENY")
            && l.contains("arguments do not match the schema") && l.contains("required key [compileId] not found"));
    assertThat(output).contains("Audit, 30 JSON Lines");
    assertThat(lines.stream().filter(l -> l.startsWith("{\"time\":")).count()).isEqualTo(30);
    assertThat(output).contains("demo OK");
  }
}
