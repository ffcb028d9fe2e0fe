package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Step 4 of DESIGN.md section 3: the arguments schema, and what its reasons may show. */
class ArgumentSchemaTest {
  private final PolicyEngine engine = PolicyEngine.of(Policy.parse(String.join("\n",
      "version: '1'",
      "tools:",
      "  login:",
      "    arguments:",
      "      type: object",
      "      required: [user]",
      "      properties:",
      "        user: {type: string, pattern: '^[a-z]+$'}",
      "        api_key: {type: string, pattern: '^sk-[0-9]{4}$'}",
      "")));

  private Decision decide(Map<String, ?> args) {
    return engine.evaluate(ToolCall.of("login", args), CallContext.of("p"));
  }

  @Test
  void aFailureNamesThePathAndWhatFailed() {
    assertThat(decide(Map.of("user", "bob")).isAllowed()).isTrue();
    Decision missing = decide(Map.of());
    assertThat(missing.rule()).isEqualTo("/tools/login/arguments");
    assertThat(missing.reason()).startsWith("Policy denied login: arguments do not match the schema at /tools/login/arguments:")
        .contains("user");
    assertThat(decide(Map.of("user", "Bob")).reason()).contains("#/user").contains("pattern");
  }

  @Test
  void aSecretLookingValueIsNeverQuotedInTheReason() {
    Decision d = decide(Map.of("user", "bob", "api_key", "hunter2-very-secret"));
    assertThat(d.kind()).isEqualTo(Decision.Kind.DENY);
    assertThat(d.reason()).contains("#/api_key").contains("value withheld").doesNotContain("hunter2");
  }

  @Test
  void toolsWithoutASchemaNeverReadTheirArguments() {
    PolicyEngine plain = PolicyEngine.of(Policy.parse("version: '1'\ntools:\n  t: {}\n"));
    Map<String, Object> notJson = Map.of("x", new Object());
    assertThat(plain.evaluate(ToolCall.of("t", notJson), CallContext.of("p")).isAllowed()).isTrue();
  }
}
