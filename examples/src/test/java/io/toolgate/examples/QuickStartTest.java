package io.toolgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.examples.quickstart.QuickStart;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuickStartTest {
  @Test
  void tenCompilesRunTheRestAndTheDeletionAreRefused() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T10:00:18Z"), ZoneOffset.UTC);

    int runs = QuickStart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), clock);

    assertThat(runs).isEqualTo(10);
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(13);
    assertThat(lines.get(0)).isEqualTo("1. compiled project 7 (compile 1)");
    assertThat(lines.get(9)).isEqualTo("10. compiled project 7 (compile 10)");
    assertThat(lines.get(10))
        .isEqualTo("11. error: Policy denied create_compile: rate limit create_compile_rate (10 per minute,"
            + " per grant) reached; retry after 42s.");
    assertThat(lines.get(12))
        .isEqualTo("13. error: Policy denied delete_project: Project deletion is not permitted for agents.");
  }
}
