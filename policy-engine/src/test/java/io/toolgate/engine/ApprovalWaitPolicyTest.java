package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DESIGN.md section 5: {@code wait} on require_approval entries, and every misuse of it, located. */
class ApprovalWaitPolicyTest {

  private static List<PolicyProblem> problems(String text) {
    return Policy.check(text, "p.yaml");
  }

  @ParameterizedTest
  @CsvSource({"2m", "30s", "minute", "900", "15m", "'60'"})
  void aRequireApprovalEntryMayWait(String wait) {
    assertThat(problems("version: '1'\ntools:\n  deploy: {action: require_approval, wait: " + wait + "}\n")).isEmpty();
  }

  @Test
  void anAllowOrDenyEntryTakesNoWait() {
    List<PolicyProblem> allow = problems("version: '1'\ntools:\n  t:\n    wait: 2m\n");
    assertThat(allow).singleElement().satisfies(p -> {
      assertThat(p.pointer()).isEqualTo("/tools/t/wait");
      assertThat(p.line()).isEqualTo(4);
      assertThat(p.message()).contains("only require_approval entries take wait");
    });
    assertThat(problems("version: '1'\ntools:\n  t: {action: deny, wait: 2m}\n"))
        .extracting(PolicyProblem::pointer).containsExactly("/tools/t/wait");
    assertThat(problems("version: '1'\ngrants:\n  bot:\n    tools:\n      t: {wait: 1m}\n"))
        .extracting(PolicyProblem::pointer).containsExactly("/grants/bot/tools/t/wait");
  }

  @Test
  void aWaitLongerThanFifteenMinutesIsRefusedWhereItIsWritten() {
    List<PolicyProblem> found = problems("version: '1'\ntools:\n  deploy:\n    action: require_approval\n    wait: 16m\n");
    assertThat(found).singleElement().satisfies(p -> {
      assertThat(p.pointer()).isEqualTo("/tools/deploy/wait");
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.message()).isEqualTo("\"16m\" is too long a wait; expected at most 15m (900 seconds)");
    });
    assertThat(problems("version: '1'\ntools:\n  deploy: {action: require_approval, wait: hour}\n"))
        .extracting(PolicyProblem::pointer).containsExactly("/tools/deploy/wait");
  }

  @ParameterizedTest
  @CsvSource({"0", "-5", "1.5", "5x", "''", "true", "1w", "'99999999999999999999s'", "'{a: 1}'", "'[1]'", "null"})
  void hostileWaitsAreReportedAtTheWait(String wait) {
    assertThat(problems("version: '1'\ntools:\n  deploy: {action: require_approval, wait: " + wait + "}\n"))
        .extracting(PolicyProblem::pointer).containsExactly("/tools/deploy/wait");
  }

  @Test
  void aMisspeltWaitGetsADidYouMean() {
    assertThat(problems("version: '1'\ntools:\n  deploy: {action: require_approval, wiat: 2m}\n"))
        .singleElement().satisfies(p -> {
          assertThat(p.pointer()).isEqualTo("/tools/deploy/wiat");
          assertThat(p.message()).contains("wait");
        });
  }
}
