package io.toolgate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.Decision.Rules;
import io.toolgate.micrometer.internal.RuleKind;
import org.junit.jupiter.api.Test;

/** The {@code rule} tag: the kind of every rule string the engine and the MCP adapter produce. */
class RuleKindTest {
  @Test
  void pointersIntoToolEntriesTopLevelOrInAGrantNameTheirPart() {
    assertThat(RuleKind.of("/tools/create_compile")).isEqualTo(RuleKind.ENTRY);
    assertThat(RuleKind.of("/tools/create_compile/limits/0")).isEqualTo(RuleKind.LIMIT);
    assertThat(RuleKind.of("/tools/create_compile/rate_limit")).isEqualTo(RuleKind.LIMIT);
    assertThat(RuleKind.of("/tools/charge/conditions/2")).isEqualTo(RuleKind.CONDITION);
    assertThat(RuleKind.of("/tools/create_backtest/arguments")).isEqualTo(RuleKind.ARGUMENTS);
    assertThat(RuleKind.of("/tools/a~1b/limits/1")).isEqualTo(RuleKind.LIMIT);
    assertThat(RuleKind.of("/grants/ci-bot/tools/backtest_*")).isEqualTo(RuleKind.ENTRY);
    assertThat(RuleKind.of("/grants/ci-bot/tools/backtest_*/limits/0")).isEqualTo(RuleKind.LIMIT);
    assertThat(RuleKind.of("/grants/a~1b/tools/x/conditions/0")).isEqualTo(RuleKind.CONDITION);
  }

  @Test
  void namedRulesHaveTheirOwnKindAndAnythingElseIsOther() {
    assertThat(RuleKind.of(Rules.DEFAULT)).isEqualTo(RuleKind.DEFAULT);
    assertThat(RuleKind.of(Rules.HIDE)).isEqualTo(RuleKind.HIDE);
    assertThat(RuleKind.of("/hide/3")).isEqualTo(RuleKind.HIDE);
    assertThat(RuleKind.of(Rules.STORE)).isEqualTo(RuleKind.STORE);
    assertThat(RuleKind.of(Rules.FAIL_OPEN).tag()).isEqualTo("fail-open");
    assertThat(RuleKind.of(Rules.ERROR)).isEqualTo(RuleKind.ERROR);
    assertThat(RuleKind.of(Rules.ARGUMENTS)).isEqualTo(RuleKind.ARGUMENTS);
    assertThat(RuleKind.of(Rules.SESSION)).isEqualTo(RuleKind.SESSION);
    assertThat(RuleKind.of(null)).isEqualTo(RuleKind.OTHER);
    assertThat(RuleKind.of("")).isEqualTo(RuleKind.OTHER);
    assertThat(RuleKind.of("/hidden")).isEqualTo(RuleKind.OTHER);
    assertThat(RuleKind.of("/grants/x")).isEqualTo(RuleKind.OTHER);
    assertThat(RuleKind.of("/tools/x/description")).isEqualTo(RuleKind.OTHER);
    assertThat(RuleKind.of("something")).isEqualTo(RuleKind.OTHER);
  }
}
