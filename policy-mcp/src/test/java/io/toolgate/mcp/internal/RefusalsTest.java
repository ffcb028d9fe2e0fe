package io.toolgate.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.toolgate.api.Decision;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalsTest {
  @Test
  void theToolNameQuotedInMetaIsABoundedExcerptOnOneLine() {
    String tool = "evil\n" + "x".repeat(100_000);
    Decision.Deny denied = new Decision.Deny(tool, "alice", List.of(), "/default", "Policy denied a tool.");

    Object quoted = Refusals.describe(denied).get("tool");

    assertThat(quoted).asString()
        .startsWith("evil?xxx")
        .endsWith("…(+99885 chars)")
        .doesNotContain("\n")
        .hasSizeLessThan(200);
    assertThat(Refusals.result(denied).meta().get(Refusals.META_KEY).toString()).hasSizeLessThan(400);
  }

  @Test
  void aPlainToolNameIsQuotedAsItIs() {
    Decision.Deny denied = new Decision.Deny("create_compile", "alice", List.of(), "/default", "Policy denied create_compile.");

    assertThat(Refusals.describe(denied)).containsEntry("tool", "create_compile");
  }

  @Test
  void metaNamesEachFieldAsDecisionFieldsSaysInOrder() {
    Decision.RateLimited limited = new Decision.RateLimited("create_compile", "alice", List.of("/tools/create_compile"),
        "/tools/create_compile/limits/0", "Policy denied create_compile: rate limit reached.", "create_compile_rate",
        10, Duration.ofMinutes(1), "grant", Duration.ofMillis(29_001));
    Decision.ApprovalRequired held = new Decision.ApprovalRequired("create_charge", "alice", List.of(),
        "/tools/create_charge", "Policy holds create_charge.", "id-1");

    assertThat(Refusals.describe(limited)).containsExactly(
        entry("kind", "rate_limited"), entry("tool", "create_compile"), entry("rule", "/tools/create_compile/limits/0"),
        entry("reason", "Policy denied create_compile: rate limit reached."), entry("retryAfterMillis", 29_001L),
        entry("counter", "create_compile_rate"), entry("retryAfterSeconds", 30L));
    assertThat(Refusals.describe(held)).containsEntry("kind", "approval_required").containsEntry("approvalId", "id-1");
    assertThat(Refusals.foreignSession("t", "bob").rule()).isEqualTo(Decision.Rules.SESSION);
  }
}
