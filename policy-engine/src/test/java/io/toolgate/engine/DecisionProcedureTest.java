package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.ToolCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** DESIGN.md section 3: the order of the decision procedure, first outcome wins. */
class DecisionProcedureTest {
  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");

  private PolicyEngine engine(String yaml) {
    return PolicyEngine.builder(Policy.parse(yaml)).clock(clock).build();
  }

  private static Decision decide(PolicyEngine engine, String tool, String principal, Map<String, ?> args) {
    return engine.evaluate(ToolCall.of(tool, args), CallContext.of(principal));
  }

  @Nested
  class Matching {
    @Test
    void toolNamesMatchExactlyWithoutNormalisation() {
      PolicyEngine e = engine("version: '1'\ntools:\n  create_compile: {}\n");
      assertThat(decide(e, "create_compile", "a", Map.of()).kind()).isEqualTo(Kind.ALLOW);
      assertThat(decide(e, "Create_Compile", "a", Map.of()).kind()).isEqualTo(Kind.DENY);
      assertThat(decide(e, "create_compile ", "a", Map.of()).kind()).isEqualTo(Kind.DENY);
      assertThat(decide(e, "create_compilé", "a", Map.of()).kind()).isEqualTo(Kind.DENY);
    }

    @Test
    void anyStringIsAToolNameDecidedByDefault() {
      PolicyEngine deny = engine("version: '1'\n");
      PolicyEngine allow = engine("version: '1'\ndefault: allow\n");
      for (String name : List.of("", " ", "\u0000", "a/b", "*", "x".repeat(100_000), "\uD800")) {
        assertThat(decide(deny, name, "a", Map.of()).kind()).isEqualTo(Kind.DENY);
        assertThat(decide(deny, name, "a", Map.of()).reason()).contains("not permitted");
        assertThat(decide(allow, name, "a", Map.of()).kind()).isEqualTo(Kind.ALLOW);
      }
    }

    @Test
    void globsMatchStarQuestionAndClass() {
      PolicyEngine e = engine("version: '1'\ntools:\n  'read_*': {}\n  'list_?': {}\n  'get_[ab]x': {}\n  'r[0-9]': {}\n");
      assertThat(decide(e, "read_file", "a", Map.of()).isAllowed()).isTrue();
      assertThat(decide(e, "read_", "a", Map.of()).isAllowed()).isTrue();
      assertThat(decide(e, "xread_file", "a", Map.of()).isAllowed()).isFalse();
      assertThat(decide(e, "list_x", "a", Map.of()).isAllowed()).isTrue();
      assertThat(decide(e, "list_xy", "a", Map.of()).isAllowed()).isFalse();
      assertThat(decide(e, "get_ax", "a", Map.of()).isAllowed()).isTrue();
      assertThat(decide(e, "get_cx", "a", Map.of()).isAllowed()).isFalse();
      assertThat(decide(e, "r7", "a", Map.of()).isAllowed()).isTrue();
      assertThat(decide(e, "rx", "a", Map.of()).isAllowed()).isFalse();
    }

    @Test
    void decisionNamesMatchedEntriesAndTheDecidingRule() {
      PolicyEngine e = engine("version: '1'\ntools:\n  '*': {}\n  create_compile: {}\n");
      Decision d = decide(e, "create_compile", "agent-1", Map.of());
      assertThat(d.matched()).containsExactly("/tools/*", "/tools/create_compile");
      assertThat(d.rule()).isEqualTo("/tools/*");
      assertThat(d.tool()).isEqualTo("create_compile");
      assertThat(d.principal()).isEqualTo("agent-1");
    }
  }

  @Nested
  class Order {
    @Test
    void hiddenBeatsEverything() {
      PolicyEngine e = engine("version: '1'\ndefault: allow\nhide: [secret_tool, 'admin_*']\ntools:\n  secret_tool: {action: allow}\n"
          + "grants:\n  root:\n    tools:\n      'admin_*': {}\n");
      Decision d = decide(e, "secret_tool", "a", Map.of());
      assertThat(d.kind()).isEqualTo(Kind.DENY);
      assertThat(d.reason()).isEqualTo("Policy denied secret_tool: hidden by policy.");
      assertThat(d.rule()).isEqualTo("/hide/0");
      assertThat(decide(e, "admin_users", "root", Map.of()).rule()).isEqualTo("/hide/1");
      assertThat(e.isListed("secret_tool", CallContext.of("a"))).isFalse();
      assertThat(e.isListed("other", CallContext.of("a"))).isTrue();
    }

    @Test
    void denyOverridesGrantsAndMoreSpecificKeys() {
      PolicyEngine e = engine("version: '1'\ntools:\n  'delete_*': {action: deny, reason: No deletes}\n"
          + "grants:\n  admin:\n    tools:\n      delete_project: {action: allow}\n      '*': {}\n");
      Decision d = e.evaluate(ToolCall.of("delete_project"), CallContext.of("x").withRoles("admin"));
      assertThat(d.kind()).isEqualTo(Kind.DENY);
      assertThat(d.reason()).isEqualTo("Policy denied delete_project: No deletes.");
      assertThat(d.rule()).isEqualTo("/tools/delete_*");
      assertThat(e.evaluate(ToolCall.of("read"), CallContext.of("x").withRoles("admin")).isAllowed()).isTrue();
    }

    @Test
    void denyInAGrantAppliesOnlyToThatIdentity() {
      PolicyEngine e = engine("version: '1'\ndefault: allow\ngrants:\n  intern:\n    tools:\n      'deploy*': {action: deny}\n");
      assertThat(decide(e, "deploy", "intern", Map.of()).kind()).isEqualTo(Kind.DENY);
      assertThat(decide(e, "deploy", "senior", Map.of()).kind()).isEqualTo(Kind.ALLOW);
    }

    @Test
    void denyWhenAppliesOnlyWhenAllClausesHold() {
      PolicyEngine e = engine("version: '1'\ndefault: allow\ntools:\n  pay:\n    action: deny\n    reason: too much\n    when:\n"
          + "      - {path: args.amount, op: gt, value: 100}\n      - {path: args.currency, op: eq, value: usd}\n");
      assertThat(decide(e, "pay", "a", Map.of("amount", 500, "currency", "usd")).kind()).isEqualTo(Kind.DENY);
      assertThat(decide(e, "pay", "a", Map.of("amount", 500, "currency", "eur")).kind()).isEqualTo(Kind.ALLOW);
      assertThat(decide(e, "pay", "a", Map.of("amount", 50, "currency", "usd")).kind()).isEqualTo(Kind.ALLOW);
    }

    @Test
    void defaultDenyRefusesToolsNoEntryPermits() {
      PolicyEngine e = engine("version: '1'\ntools:\n  a: {}\n  b: {action: deny}\n");
      Decision d = decide(e, "c", "p", Map.of());
      assertThat(d.kind()).isEqualTo(Kind.DENY);
      assertThat(d.rule()).isEqualTo("/default");
      assertThat(d.reason()).isEqualTo("Policy denied c: not permitted (no policy entry allows this tool).");
      assertThat(e.isListed("c", CallContext.of("p"))).isFalse();
      assertThat(e.isListed("b", CallContext.of("p"))).isFalse();
      assertThat(e.isListed("a", CallContext.of("p"))).isTrue();
    }

    @Test
    void defaultIsDenyWhenOmittedAndAllowWhenSaid() {
      assertThat(decide(engine("version: '1'\n"), "x", "a", Map.of()).kind()).isEqualTo(Kind.DENY);
      Decision d = decide(engine("version: '1'\ndefault: allow\n"), "x", "a", Map.of());
      assertThat(d.kind()).isEqualTo(Kind.ALLOW);
      assertThat(d.rule()).isEqualTo("/default");
    }

    @Test
    void schemaThenConditionsThenApprovalThenLimits() {
      String policy = "version: '1'\ntools:\n  pay:\n    action: require_approval\n    arguments:\n      type: object\n      required: [amount]\n"
          + "    conditions:\n      - {path: args.amount, op: lte, value: 100, reason: at most 100}\n"
          + "    limits:\n      - {counter: pay_rate, max: 0, window: minute}\n";
      List<String> asked = Collections.synchronizedList(new ArrayList<>());
      PolicyEngine e = PolicyEngine.builder(Policy.parse(policy)).clock(clock)
          .approvals(req -> {
            asked.add(req.rule());
            return new ApprovalStatus.Approved("id-1", "bob");
          }).build();
      Decision schema = decide(e, "pay", "a", Map.of());
      assertThat(schema.rule()).isEqualTo("/tools/pay/arguments");
      assertThat(schema.reason()).contains("amount");
      Decision condition = decide(e, "pay", "a", Map.of("amount", 101));
      assertThat(condition.rule()).isEqualTo("/tools/pay/conditions/0");
      assertThat(condition.reason()).isEqualTo("Policy denied pay: at most 100.");
      assertThat(asked).isEmpty();
      Decision limited = decide(e, "pay", "a", Map.of("amount", 100));
      assertThat(asked).containsExactly("/tools/pay");
      // max 0 with cost 1: the cost can never fit, a denial naming the limit, not a rate limit
      assertThat(limited.kind()).isEqualTo(Kind.DENY);
      assertThat(limited.rule()).isEqualTo("/tools/pay/limits/0");
      assertThat(limited.reason()).contains("pay_rate");
    }

    @Test
    void everyMatchingEntrysSchemaAndConditionsMustHold() {
      PolicyEngine e = engine("version: '1'\ntools:\n  '*':\n    conditions: [{path: identity.id, op: neq, value: mallory}]\n"
          + "  write:\n    conditions: [{path: args.path, op: starts_with, value: /tmp/}]\n"
          + "grants:\n  bob:\n    tools:\n      write:\n        conditions: [{path: args.path, op: ends_with, value: .txt}]\n");
      assertThat(decide(e, "write", "alice", Map.of("path", "/tmp/a.bin")).isAllowed()).isTrue();
      assertThat(decide(e, "write", "bob", Map.of("path", "/tmp/a.bin")).rule()).isEqualTo("/grants/bob/tools/write/conditions/0");
      assertThat(decide(e, "write", "bob", Map.of("path", "/tmp/a.txt")).isAllowed()).isTrue();
      Decision d = decide(e, "write", "mallory", Map.of("path", "/tmp/a.txt"));
      assertThat(d.rule()).isEqualTo("/tools/*/conditions/0");
      assertThat(d.reason()).isEqualTo("Policy denied write: condition identity.id neq \"mallory\" does not hold.");
    }

    @Test
    void requireApprovalWithFailingWhenActsAsAllow() {
      PolicyEngine e = engine("version: '1'\ntools:\n  charge:\n    action: require_approval\n    when: [{path: args.amount, op: gt, value: 10000}]\n");
      assertThat(decide(e, "charge", "a", Map.of("amount", 50)).isAllowed()).isTrue();
      Decision big = decide(e, "charge", "a", Map.of("amount", 50_000));
      assertThat(big.kind()).isEqualTo(Kind.DENY);
      assertThat(big.reason()).contains("requires approval");
    }

    @Test
    void approvalAnswersMapToDecisions() {
      String policy = "version: '1'\ntools:\n  live:\n    action: require_approval\n    reason: Going live needs a human\n";
      PolicyEngine pending = PolicyEngine.builder(Policy.parse(policy)).approvals(r -> new ApprovalStatus.Pending("ap-7")).build();
      Decision held = decide(pending, "live", "a", Map.of());
      assertThat(held).isInstanceOf(Decision.ApprovalRequired.class);
      assertThat(((Decision.ApprovalRequired) held).approvalId()).isEqualTo("ap-7");
      assertThat(held.reason()).isEqualTo("Policy holds live for approval: Going live needs a human (approval id ap-7).");

      PolicyEngine rejected = PolicyEngine.builder(Policy.parse(policy))
          .approvals(r -> new ApprovalStatus.Rejected("ap-8", "carol", "not today")).build();
      assertThat(decide(rejected, "live", "a", Map.of()).reason())
          .isEqualTo("Policy denied live: approval ap-8 was rejected by carol: not today.");

      PolicyEngine throwing = PolicyEngine.builder(Policy.parse(policy)).approvals(r -> {
        throw new IllegalStateException("down");
      }).build();
      assertThat(decide(throwing, "live", "a", Map.of()).kind()).isEqualTo(Kind.DENY);
    }

    @Test
    void outcomeDoesNotDependOnKeyOrder() {
      String a = "{\"version\":\"1\",\"tools\":{\"*\":{\"conditions\":[{\"path\":\"args.x\",\"op\":\"eq\",\"value\":1,\"reason\":\"x\"}]},"
          + "\"t\":{\"conditions\":[{\"path\":\"args.y\",\"op\":\"eq\",\"value\":1,\"reason\":\"y\"}]}}}";
      String b = "{\"tools\":{\"t\":{\"conditions\":[{\"path\":\"args.y\",\"op\":\"eq\",\"value\":1,\"reason\":\"y\"}]},"
          + "\"*\":{\"conditions\":[{\"path\":\"args.x\",\"op\":\"eq\",\"value\":1,\"reason\":\"x\"}]}},\"version\":\"1\"}";
      for (Map<String, ?> args : List.<Map<String, ?>>of(Map.of(), Map.of("x", 1), Map.of("y", 1), Map.of("x", 1, "y", 1))) {
        Decision da = decide(engine(a), "t", "p", args);
        Decision db = decide(engine(b), "t", "p", args);
        assertThat(db).as("args %s", args).isEqualTo(da);
      }
    }
  }

  @Nested
  class Limits {
    @Test
    void seedPolicyCapsPerGrantWithExactRetryAfter() {
      PolicyEngine e = engine("{\"version\":\"1\",\"default\":\"deny\",\"tools\":{\"create_compile\":{\"limits\":["
          + "{\"counter\":\"create_compile_rate\",\"window\":\"minute\",\"max\":10,\"scope\":\"grant\"}]}}}");
      clock.advance(Duration.ofSeconds(18));
      for (int i = 0; i < 10; i++) {
        assertThat(decide(e, "create_compile", "agent-1", Map.of()).isAllowed()).isTrue();
      }
      Decision d = decide(e, "create_compile", "agent-1", Map.of());
      assertThat(d).isInstanceOf(Decision.RateLimited.class);
      Decision.RateLimited limited = (Decision.RateLimited) d;
      assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(42));
      assertThat(limited.counter()).isEqualTo("create_compile_rate");
      assertThat(limited.max()).isEqualTo(10);
      assertThat(limited.window()).isEqualTo(Duration.ofMinutes(1));
      assertThat(limited.scope()).isEqualTo("grant");
      assertThat(limited.rule()).isEqualTo("/tools/create_compile/limits/0");
      assertThat(d.reason()).isEqualTo("Policy denied create_compile: rate limit create_compile_rate (10 per minute, per grant) reached; retry after 42s.");
      assertThat(decide(e, "create_compile", "agent-2", Map.of()).isAllowed()).isTrue();
      clock.advance(Duration.ofSeconds(42));
      assertThat(decide(e, "create_compile", "agent-1", Map.of()).isAllowed()).isTrue();
    }

    @Test
    void scopesKeyCountersBySessionGlobalAndArgument() {
      PolicyEngine e = engine("version: '1'\ntools:\n  s: {limits: [{max: 1, window: hour, scope: session}]}\n"
          + "  g: {limits: [{max: 1, window: hour, scope: global}]}\n  a: {limits: [{max: 1, window: hour, scope: args.project.id}]}\n");
      CallContext s1 = CallContext.of("p").withSession("s1");
      assertThat(e.evaluate(ToolCall.of("s"), s1).isAllowed()).isTrue();
      assertThat(e.evaluate(ToolCall.of("s"), s1).kind()).isEqualTo(Kind.RATE_LIMITED);
      assertThat(e.evaluate(ToolCall.of("s"), CallContext.of("p").withSession("s2")).isAllowed()).isTrue();
      Decision noSession = e.evaluate(ToolCall.of("s"), CallContext.of("p"));
      assertThat(noSession.kind()).isEqualTo(Kind.DENY);
      assertThat(noSession.reason()).contains("per session").contains("no session id");

      assertThat(decide(e, "g", "p1", Map.of()).isAllowed()).isTrue();
      assertThat(decide(e, "g", "p2", Map.of()).kind()).isEqualTo(Kind.RATE_LIMITED);

      assertThat(decide(e, "a", "p1", Map.of("project", Map.of("id", 7))).isAllowed()).isTrue();
      assertThat(decide(e, "a", "p2", Map.of("project", Map.of("id", 7.0))).kind()).isEqualTo(Kind.RATE_LIMITED);
      assertThat(decide(e, "a", "p2", Map.of("project", Map.of("id", 8))).isAllowed()).isTrue();
      Decision missing = decide(e, "a", "p1", Map.of("project", Map.of()));
      assertThat(missing.kind()).isEqualTo(Kind.DENY);
      assertThat(missing.reason()).contains("args.project.id");
    }

    @Test
    void grantScopeWithoutPrincipalDeniesRatherThanSharing() {
      PolicyEngine e = engine("version: '1'\ntools:\n  t: {rate_limit: 5/minute}\n");
      Decision d = e.evaluate(ToolCall.of("t"), CallContext.anonymous());
      assertThat(d.kind()).isEqualTo(Kind.DENY);
      assertThat(d.reason()).contains("no principal");
      assertThat(d.rule()).isEqualTo("/tools/t/rate_limit");
    }

    @Test
    void costFromReadsTheArgumentAndRefusesBadCosts() {
      PolicyEngine e = engine("version: '1'\ntools:\n  charge:\n    limits: [{counter: spend, max: 100, window: day, scope: global, cost_from: args.amount}]\n");
      assertThat(decide(e, "charge", "a", Map.of("amount", 60.5)).isAllowed()).isTrue();
      assertThat(decide(e, "charge", "a", Map.of("amount", 39.5)).isAllowed()).isTrue();
      assertThat(decide(e, "charge", "a", Map.of("amount", 0)).isAllowed()).isTrue();
      assertThat(decide(e, "charge", "a", Map.of("amount", 1)).kind()).isEqualTo(Kind.RATE_LIMITED);
      for (Map<String, ?> bad : List.<Map<String, ?>>of(Map.of(), Map.of("amount", -1), Map.of("amount", "12"), Map.of("amount", 101))) {
        Decision d = decide(e, "charge", "a", bad);
        assertThat(d.kind()).as("%s", bad).isEqualTo(Kind.DENY);
        assertThat(d.reason()).as("%s", bad).contains("spend");
      }
    }

    @Test
    void decimalCostsAreAddedExactly() {
      PolicyEngine e = engine("version: '1'\ntools:\n  t: {limits: [{counter: tenths, max: 0.3, window: hour, cost: 0.1}]}\n"
          + "  charge: {limits: [{counter: spend, max: 0.3, window: hour, scope: global, cost_from: args.amount}]}\n");
      for (int i = 0; i < 3; i++) {
        assertThat(decide(e, "t", "a", Map.of()).isAllowed()).as("call %s of 0.1", i + 1).isTrue();
        assertThat(decide(e, "charge", "a", Map.of("amount", 0.1)).isAllowed()).as("charge %s of 0.1", i + 1).isTrue();
      }
      Decision fourth = decide(e, "t", "a", Map.of());
      assertThat(fourth).isInstanceOf(Decision.RateLimited.class);
      assertThat(((Decision.RateLimited) fourth).max()).isEqualTo(0.3);
      assertThat(fourth.reason()).contains("(0.3 per hour, per grant)");
      assertThat(decide(e, "charge", "a", Map.of("amount", 0.1)).kind()).isEqualTo(Kind.RATE_LIMITED);
    }

    @Test
    void aCostFromTheArgumentsWithMoreThanSixDecimalsRoundsUp() {
      PolicyEngine e = engine("version: '1'\ntools:\n  charge: {limits: [{counter: spend, max: 0.000002, window: hour, scope: global, cost_from: args.amount}]}\n");
      assertThat(decide(e, "charge", "a", Map.of("amount", 1e-7)).isAllowed()).isTrue();
      assertThat(decide(e, "charge", "a", Map.of("amount", 0.0000011)).kind())
          .as("1e-7 counted as a millionth, 0.0000011 as two: over").isEqualTo(Kind.RATE_LIMITED);
      assertThat(decide(e, "charge", "a", Map.of("amount", 1e-300)).isAllowed()).as("the last millionth").isTrue();
      assertThat(decide(e, "charge", "a", Map.of("amount", 1e-300)).kind()).as("never free").isEqualTo(Kind.RATE_LIMITED);
      for (Object over : List.of(0.0000021, Double.POSITIVE_INFINITY, 1e300, new java.math.BigInteger("9".repeat(400)))) {
        Decision d = decide(e, "charge", "b", Map.of("amount", over));
        assertThat(d.kind()).as("%s", over).isEqualTo(Kind.DENY);
        assertThat(d.reason()).as("%s", over).contains("spend").hasSizeLessThan(300);
      }
    }

    @Test
    void multiCounterReservationIsAllOrNone() {
      PolicyEngine e = engine("version: '1'\ntools:\n  t:\n    limits:\n      - {counter: small, max: 1, window: hour, scope: global}\n"
          + "      - {counter: big, max: 3, window: hour, scope: global}\n  u:\n    limits:\n      - {counter: big, max: 3, window: hour, scope: global}\n");
      assertThat(decide(e, "t", "a", Map.of()).isAllowed()).isTrue();
      for (int i = 0; i < 5; i++) {
        assertThat(decide(e, "t", "a", Map.of()).kind()).isEqualTo(Kind.RATE_LIMITED);
      }
      // big lost nothing to the refused calls: 2 of its 3 remain
      assertThat(decide(e, "u", "a", Map.of()).isAllowed()).isTrue();
      assertThat(decide(e, "u", "a", Map.of()).isAllowed()).isTrue();
      assertThat(decide(e, "u", "a", Map.of()).kind()).isEqualTo(Kind.RATE_LIMITED);
    }
  }
}
