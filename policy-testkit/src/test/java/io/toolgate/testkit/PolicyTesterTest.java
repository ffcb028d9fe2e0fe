package io.toolgate.testkit;

import static io.toolgate.testkit.ToolgateAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.scenarios.ScenarioRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fluent tester: loading, the clock, identities, repeats, failing tools, approvals. */
class PolicyTesterTest {
  private final PolicyTester shop = PolicyTester.load("policies/shop.yaml").startingAt("2026-01-01T10:00:30Z");

  @Test
  void loadsFromAFileOrTheClasspathAndStartsTheClockWhereAsked(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.json");
    Files.writeString(file, "{\"version\":\"1\",\"tools\":{\"t\":{}}}");
    PolicyTester fromPath = PolicyTester.load(file.toString());
    assertThat(fromPath.now()).isEqualTo(ScenarioRunner.DEFAULT_START);
    assertThat(fromPath.as("a").call("t")).isAllowed().decidedBy("t").decidedBy("/tools/t");
    assertThat(PolicyTester.load(file).as("a").call("u")).isDenied().decidedBy("/default");
    assertThat(PolicyTester.load("/policies/shop.yaml").policy().source()).isEqualTo("policies/shop.yaml");
    assertThat(shop.now()).isEqualTo(Instant.parse("2026-01-01T10:00:30Z"));
    assertThat(PolicyTester.parse("version: '1'\ndefault: allow").anonymous().call("anything")).isAllowed();
  }

  @Test
  void aMissingOrBadPolicyIsAClearError() {
    assertThatThrownBy(() -> PolicyTester.load("no/such/policy.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no policy file").hasMessageContaining("no classpath resource no/such/policy.yaml");
    assertThatThrownBy(() -> PolicyTester.parse("version: '1'\ntools: {x: {rate_limit: 10/minit}}"))
        .isInstanceOf(PolicyLoadException.class).hasMessageContaining("/tools/x/rate_limit");
  }

  @Test
  void timesRepeatsACallAndAdvanceMovesTheWindow() {
    PolicyTester.Caller agent = shop.as("agent-1");
    Decisions ten = agent.times(10).call("create_compile", Map.of("projectId", 7));
    assertThat(ten).allAllowed();
    assertThat(ten.size()).isEqualTo(10);
    assertThat(agent.call("create_compile", Map.of("projectId", 7)))
        .isRateLimited().hasRetryAfter(Duration.ofSeconds(30)).hasRetryAfter("30s").hasCounter("create_compile_rate")
        .decidedBy("/tools/create_compile/limits/0").decidedBy("create_compile");
    assertThat(shop.as("agent-2").call("create_compile", Map.of("projectId", 7))).as("per grant").isAllowed();
    shop.advance("29s");
    assertThat(agent.call("create_compile", Map.of("projectId", 7))).isRateLimited().hasRetryAfter("1s");
    shop.advance(Duration.ofSeconds(1));
    assertThat(agent.times(3).call("create_compile", Map.of("projectId", 7))).has(3, Decision.Kind.ALLOW);
  }

  @Test
  void aFailingToolGoesThroughTheInterceptorAndIsRefundedWhereTheLimitSaysSo() {
    PolicyTester.Caller payer = shop.as("agent-1");
    Map<String, Object> big = Map.of("currency", "EUR", "account", "acc-1", "amount", 600);
    assertThat(payer.toolFails().call("transfer", big)).as("failed, refunded").isAllowed();
    assertThat(payer.call("transfer", big)).isAllowed();
    assertThat(payer.call("transfer", big)).as("600 + 600 > 1000").isRateLimited().hasCounter("spend");
    assertThat(payer.call("transfer", Map.of("currency", "GBP", "account", "acc-1", "amount", 1)))
        .isDenied().hasReasonContaining("only EUR and USD").decidedBy("/tools/transfer/conditions/0");
    // create_compile has no refund_on_error: a failed compile still counts
    PolicyTester.Caller agent = shop.as("agent-9");
    assertThat(agent.toolFails().times(10).call("create_compile", Map.of("projectId", 1))).allAllowed();
    assertThat(agent.call("create_compile", Map.of("projectId", 1))).isRateLimited();
  }

  @Test
  void rolesSessionsAndAttributesReachTheEngine() {
    assertThat(shop.as("ci-bot").times(5).call("backtest_run")).allAllowed();
    assertThat(shop.as("ci-bot").call("backtest_run")).isRateLimited().decidedBy("/grants/ci-bot/tools/backtest_*/rate_limit");
    assertThat(shop.as("someone").withRoles("ci-bot").call("backtest_run")).as("grant by role").isAllowed();
    assertThat(shop.as("agent-1").call("backtest_run")).isDenied().decidedBy("/default");
    PolicyTester.Caller reader = shop.as("agent-1").inSession("s1");
    assertThat(reader.times(2).call("read_session_log")).allAllowed();
    assertThat(reader.call("read_session_log")).isRateLimited();
    assertThat(reader.inSession("s2").call("read_session_log")).isAllowed();
    assertThat(shop.as("agent-1").call("read_session_log")).as("no session").isDenied().hasReasonContaining("session");
    CallContext full = new CallContext("agent-3", java.util.Set.of("auditor"), Map.of("team", "red"), "s3");
    assertThat(shop.as(full).withAttributes(Map.of("team", "blue")).call("read_anything")).isAllowed().decidedBy("read_*");
    assertThat(shop.as("agent-1").call("admin_reset")).isDenied().decidedBy("/hide/0").hasReasonContaining("hidden");
  }

  @Test
  void approvalsAreAnsweredFromTheTest() {
    PolicyTester.Caller agent = shop.as("agent-1");
    Map<String, Object> live = Map.of("projectId", 7, "live", true);
    assertThat(agent.call("create_live_algorithm", live)).requiresApproval().hasReasonContaining("Going live needs a human");
    String id = shop.lastApprovalId();
    assertThat(shop.approvals().pending()).hasSize(1);
    shop.approveLast();
    assertThat(agent.call("create_live_algorithm", live)).isAllowed();
    assertThat(agent.call("create_live_algorithm", live)).requiresApproval();
    assertThat(shop.lastApprovalId()).isNotEqualTo(id);
    shop.rejectLast();
    assertThat(agent.call("create_live_algorithm", live)).isDenied().hasReasonContaining("rejected by the test");
    assertThatThrownBy(shop::approveLast).isInstanceOf(IllegalStateException.class).hasMessageContaining("no longer pending");
    assertThat(agent.call("create_live_algorithm", Map.of("live", false))).as("when does not hold").isAllowed();
    assertThatThrownBy(() -> PolicyTester.load("quickstart/policy.yaml").approveLast())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no call has been held");
  }

  @Test
  void badArgumentsToTheTesterAreRefused() {
    assertThatThrownBy(() -> shop.as("a").times(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> shop.advance("soon")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> shop.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> shop.argumentSchema("delete_project")).isInstanceOf(IllegalArgumentException.class);
    assertThat(shop.argumentSchema("create_compile").get("required").get(0).asText()).isEqualTo("projectId");
  }

  @Test
  void explainShowsThePathOnTheTestersState() {
    var explanation = shop.explain("transfer", Map.of("currency", "GBP"), CallContext.of("agent-1"));
    assertThat(explanation.decision()).isDenied();
    assertThat(explanation.render()).contains("/tools/transfer/conditions/0").contains("fails");
  }
}
