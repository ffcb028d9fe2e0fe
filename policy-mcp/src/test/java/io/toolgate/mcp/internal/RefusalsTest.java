package io.toolgate.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.Decision;
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
}
