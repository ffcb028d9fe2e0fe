package io.toolgate.testkit;

import static io.toolgate.testkit.ToolgateAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.Decision;
import io.toolgate.engine.PolicyLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every assertion passes when it should, and fails with the whole decision and the call. */
class ToolgateAssertionsTest {
  private final PolicyTester shop = PolicyTester.load("policies/shop.yaml").startingAt("2026-01-01T10:00:30Z");

  @Test
  void kindAssertionsFailWithTheDecisionAndTheCall() {
    Decision denied = shop.as("agent-1").inSession("s9").call("delete_project", Map.of("projectId", 7));
    assertThat(denied).isDenied().isRefused().hasKind(Decision.Kind.DENY)
        .hasReason("Policy denied delete_project: Project deletion is not permitted for agents.")
        .hasReasonContaining("not permitted").decidedBy("delete_project").matched("/tools/delete_project");
    assertThatThrownBy(() -> assertThat(denied).isAllowed())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected the decision to be ALLOW")
        .hasMessageContaining("call:     \"delete_project\" {\"projectId\":7} as agent-1, session s9, at 2026-01-01T10:00:30Z")
        .hasMessageContaining("decision: DENY by /tools/delete_project")
        .hasMessageContaining("reason:  Policy denied delete_project: Project deletion is not permitted for agents.")
        .hasMessageContaining("matched: [/tools/delete_project]");
    assertThatThrownBy(() -> assertThat(denied).isRateLimited()).hasMessageContaining("to be RATE_LIMITED");
    assertThatThrownBy(() -> assertThat(denied).requiresApproval()).hasMessageContaining("to be APPROVAL_REQUIRED");
    assertThatThrownBy(() -> assertThat(denied).hasReasonContaining("Not Permitted"))
        .hasMessageContaining("to have a reason containing \"Not Permitted\"");
    assertThatThrownBy(() -> assertThat(denied).hasReason("x")).hasMessageContaining("to have the reason \"x\"");
    assertThatThrownBy(() -> assertThat(denied).decidedBy("/default")).hasMessageContaining("to be decided by /default");
    assertThatThrownBy(() -> assertThat(denied).decidedBy("delete")).hasMessageContaining("to be decided by delete");
    assertThat(denied).isNotDecidedBy("/default").isNotDecidedBy("delete");
    assertThatThrownBy(() -> assertThat(denied).isNotDecidedBy("delete_project"))
        .hasMessageContaining("not to be decided by delete_project");
    assertThatThrownBy(() -> assertThat(denied).matched("/tools/x")).hasMessageContaining("to have matched /tools/x");
    Decision allowed = shop.as("agent-1").call("create_compile", Map.of("projectId", 7));
    assertThat(allowed).isAllowed();
    assertThatThrownBy(() -> assertThat(allowed).isRefused()).hasMessageContaining("to be refused");
  }

  @Test
  void rateLimitAssertionsShowTheCounterAndRetryAfter() {
    PolicyTester.Caller agent = shop.as("agent-1").toolFails();
    agent.times(10).call("create_compile", Map.of("projectId", 7));
    Decision limited = agent.call("create_compile", Map.of("projectId", 7));
    assertThat(limited).isRateLimited().hasRetryAfter(Duration.ofSeconds(30)).hasCounter("create_compile_rate");
    assertThatThrownBy(() -> assertThat(limited).hasRetryAfter("31s"))
        .hasMessageContaining("to have retry-after 31s")
        .hasMessageContaining("counter: create_compile_rate (max 10 per 60s, scope grant), retry after 30s")
        .hasMessageContaining("the tool failing");
    assertThatThrownBy(() -> assertThat(limited).hasCounter("other")).hasMessageContaining("to be limited by counter other");
    assertThatThrownBy(() -> assertThat(limited).hasRetryAfter("later")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void approvalDecisionsShowTheirId() {
    Decision held = shop.as("agent-1").call("create_live_algorithm", Map.of("live", true));
    assertThat(held).requiresApproval().decidedBy("/tools/create_live_algorithm");
    assertThatThrownBy(() -> assertThat(held).isDenied()).hasMessageContaining("approval id: " + shop.lastApprovalId());
  }

  @Test
  void anApprovedCallNamesTheApprovalItUsed() {
    Map<String, Object> live = Map.of("live", true);
    shop.as("agent-1").call("create_live_algorithm", live);
    String id = shop.lastApprovalId();
    shop.approveLast();
    Decision allowed = shop.as("agent-1").call("create_live_algorithm", live);
    assertThat(allowed).isAllowed().usedApproval(id);
    assertThat(((Decision.Allow) allowed).approvalId()).isEqualTo(id);
    assertThatThrownBy(() -> assertThat(allowed).usedApproval("other"))
        .hasMessageContaining("to be allowed on approval other")
        .hasMessageContaining("used approval: " + id);
    assertThatThrownBy(() -> assertThat(allowed).usedNoApproval()).hasMessageContaining("to be allowed without an approval");

    Decision plain = shop.as("agent-1").call("create_compile", Map.of("projectId", 7));
    assertThat(plain).usedNoApproval();
    assertThatThrownBy(() -> assertThat(plain).usedApproval(id)).hasMessageContaining("to be allowed on approval " + id);
    assertThat(shop.as("agent-1").call("create_live_algorithm", live)).as("the approval was used up").requiresApproval();
    assertThatThrownBy(() -> assertThat(shop.as("agent-1").call("create_live_algorithm", live)).usedApproval(id))
        .hasMessageContaining("to be ALLOW");
  }

  @Test
  void decidedByTakesPointersEngineNamesAndEntryKeys() {
    assertThat(DecisionAssert.decidedBy("/tools/a~1b/limits/0", "a/b")).isTrue();
    assertThat(DecisionAssert.decidedBy("/grants/ops/tools/x", "x")).isTrue();
    assertThat(DecisionAssert.decidedBy("/grants/ops/tools/x", "/grants/ops")).isTrue();
    assertThat(DecisionAssert.decidedBy("/tools/xy", "x")).isFalse();
    assertThat(DecisionAssert.decidedBy("/tools/xy", "/tools/x")).isFalse();
    assertThat(DecisionAssert.decidedBy("store", "store")).isTrue();
    assertThat(DecisionAssert.decidedBy(null, "x")).isFalse();
    assertThat(DecisionAssert.decidedBy("/grants/ops", "ops")).isFalse();
  }

  @Test
  void aDecisionNotMadeByATesterSaysSo() {
    Decision bare = new Decision.Deny("t", null, List.of(), "/default", "Policy denied t: not permitted.");
    assertThatThrownBy(() -> assertThat(bare).isAllowed()).hasMessageContaining("(not made by a PolicyTester)");
  }

  @Test
  void repeatedCallsAreAssertedTogether() {
    Decisions eleven = shop.as("agent-1").times(11).call("create_compile", Map.of("projectId", 7));
    assertThat(eleven).has(10, Decision.Kind.ALLOW).has(1, Decision.Kind.RATE_LIMITED).last().isRateLimited();
    assertThatThrownBy(() -> assertThat(eleven).allAllowed())
        .hasMessageContaining("Expected all 11 calls to be ALLOW, but call 11 of 11 was not")
        .hasMessageContaining("RATE_LIMITED by /tools/create_compile/limits/0");
    assertThatThrownBy(() -> assertThat(eleven).has(11, Decision.Kind.ALLOW)).hasMessageContaining("11: RATE_LIMITED");
    assertThat(shop.as("x").times(2).call("nope")).allDenied();
    assertThatThrownBy(() -> assertThat(eleven).allRateLimited()).hasMessageContaining("call 1 of 11");
  }

  @Test
  void loadAssertionsFindProblemsByPointer(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "version: '1'\ntools:\n  x:\n    limits: [{max: 10, window: minit}]\n    colour: red\n");
    assertThat(PolicyLoad.of(bad)).fails().hasErrorAt("/tools/x/limits/0/window")
        .hasErrorAt("/tools/x/limits/0/window", "is not a window").hasErrorAt("/tools/x/colour").hasErrorCount(2);
    assertThatThrownBy(() -> assertThat(PolicyLoad.of(bad)).hasErrorAt("/tools/x/limits/0/max"))
        .hasMessageContaining("Expected a load problem at /tools/x/limits/0/max")
        .hasMessageContaining("/tools/x/limits/0/window (line 4, col 32)");
    assertThatThrownBy(() -> assertThat(PolicyLoad.of(bad)).hasErrorAt("/tools/x/colour", "window"))
        .hasMessageContaining("to say \"window\"");
    assertThatThrownBy(() -> assertThat(PolicyLoad.of(bad)).loads()).hasMessageContaining("to load, but it has problems");
    assertThatThrownBy(() -> assertThat(PolicyLoad.of(bad)).hasErrorCount(1)).hasMessageContaining("Expected 1 load problem(s)");
    PolicyLoadException thrown = org.junit.jupiter.api.Assertions.assertThrows(PolicyLoadException.class,
        () -> io.toolgate.engine.Policy.load(bad));
    assertThat(thrown).hasErrorAt("/tools/x/colour");
    assertThat(PolicyLoad.parse("version: '1'")).loads().hasErrorCount(0);
    assertThat(PolicyLoad.ofResource("policies/shop.yaml")).loads();
    assertThatThrownBy(() -> assertThat(PolicyLoad.parse("version: '1'")).fails()).hasMessageContaining("but it loaded");
    assertThatThrownBy(() -> assertThat(PolicyLoad.parse("version: '1'")).hasErrorAt("/x")).hasMessageContaining("but it loaded");
  }
}
