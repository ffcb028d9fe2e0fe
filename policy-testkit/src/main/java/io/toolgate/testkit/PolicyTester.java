package io.toolgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Explanation;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyView;
import io.toolgate.engine.Windows;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.scenarios.CoverageReport;
import io.toolgate.scenarios.PolicySource;
import io.toolgate.scenarios.ScenarioRunner;
import io.toolgate.scenarios.TestClock;
import io.toolgate.scenarios.TestEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Unit-tests a policy in a few lines: a real {@link PolicyEngine} on a {@link TestClock}, with a
 * fresh in-memory counter store and an in-memory approval queue you answer from the test. Every
 * call goes through the engine's interceptor, exactly as in production.
 *
 * <pre>{@code
 * PolicyTester policy = PolicyTester.load("policy.yaml").startingAt("2026-01-01T10:00:30Z");
 * PolicyTester.Caller agent = policy.as("agent-1");
 *
 * assertThat(agent.times(10).call("create_compile", Map.of("projectId", 7))).allAllowed();
 * assertThat(agent.call("create_compile", Map.of("projectId", 7)))
 *     .isRateLimited().hasRetryAfter(Duration.ofSeconds(30));
 * policy.advance(Duration.ofSeconds(30));
 * assertThat(agent.call("create_compile", Map.of("projectId", 7))).isAllowed();
 * }</pre>
 *
 * <p>The clock starts at {@link ScenarioRunner#DEFAULT_START} unless {@link #startingAt} moves it.
 * Every tester records which rules decided its calls ({@link #coverage()}), into its own {@link
 * PolicyCoverage} or one shared with {@link #recordCoverageIn}. A tester is meant for one test
 * and one thread at a time.
 */
public final class PolicyTester {
  private final PolicySource source;
  private TestEngine engine;
  private PolicyCoverage coverage;

  private PolicyTester(PolicySource source) {
    this.source = source;
    this.coverage = PolicyCoverage.create();
    this.engine = new TestEngine(source, ScenarioRunner.DEFAULT_START, coverage.collector());
  }

  /**
   * Loads a policy from a file, or, when no file has that path, from a classpath resource (e.g.
   * {@code "policies/agent.yaml"}).
   *
   * @throws io.toolgate.engine.PolicyLoadException listing every problem of a bad policy
   * @throws IllegalArgumentException if there is neither such a file nor such a resource
   */
  public static PolicyTester load(String pathOrResource) {
    return new PolicyTester(PolicySource.locate(pathOrResource));
  }

  /** Loads a policy file. */
  public static PolicyTester load(Path file) {
    return new PolicyTester(PolicySource.file(file));
  }

  /** A policy given as text: JSON when it starts with <code>{</code>, else YAML. */
  public static PolicyTester parse(String policyText) {
    return new PolicyTester(PolicySource.text(policyText, "inline policy"));
  }

  /** A policy given as a parsed document. */
  public static PolicyTester of(JsonNode document) {
    return new PolicyTester(PolicySource.tree(document, "inline policy"));
  }

  /** A tester on an already loaded policy source (used by the ready-made properties). */
  public static PolicyTester of(PolicySource source) {
    return new PolicyTester(source);
  }

  /** Sets the test clock to an ISO-8601 instant such as {@code 2026-01-01T10:00:30Z}. */
  public PolicyTester startingAt(String instant) {
    return startingAt(Instant.parse(instant));
  }

  /** Sets the test clock to {@code instant}. */
  public PolicyTester startingAt(Instant instant) {
    engine.clock().set(instant);
    return this;
  }

  /**
   * Records coverage into {@code shared} (for example a {@link PolicyCoverage} registered as a
   * JUnit extension) instead of this tester's own collector. Call it before the first call: the
   * tester starts again with fresh counters and approvals, at the same time.
   */
  public PolicyTester recordCoverageIn(PolicyCoverage shared) {
    Instant now = engine.clock().instant();
    this.coverage = Objects.requireNonNull(shared, "shared");
    this.engine = new TestEngine(source, now, coverage.collector());
    return this;
  }

  /** A caller with this principal id and no roles, attributes or session. */
  public Caller as(String principal) {
    return new Caller(CallContext.of(Objects.requireNonNull(principal, "principal")), 1, false);
  }

  /** A caller with this whole context. */
  public Caller as(CallContext context) {
    return new Caller(Objects.requireNonNull(context, "context"), 1, false);
  }

  /** A caller with no principal, roles, attributes or session. */
  public Caller anonymous() {
    return new Caller(CallContext.anonymous(), 1, false);
  }

  /** Moves the test clock forward. */
  public PolicyTester advance(Duration amount) {
    engine.clock().advance(amount);
    return this;
  }

  /** Moves the test clock forward by a window-syntax duration: seconds ({@code 60}) or {@code 30s 5m 2h 1d}. */
  public PolicyTester advance(String amount) {
    Duration duration = Windows.parse(amount).orElseThrow(() ->
        new IllegalArgumentException("\"" + amount + "\" is not a duration; expected " + Windows.EXPECTED));
    return advance(duration);
  }

  /**
   * Approves the request of the most recent call held for approval; the same call then passes
   * once.
   *
   * @throws IllegalStateException if no call was held, or its request expired or was answered
   */
  public PolicyTester approveLast() {
    engine.approveLast("policy-tester");
    return this;
  }

  /**
   * Rejects the request of the most recent call held for approval; the same call is then denied
   * until the rejection expires.
   *
   * @throws IllegalStateException if no call was held, or its request expired or was answered
   */
  public PolicyTester rejectLast() {
    engine.rejectLast("policy-tester", "rejected by the test");
    return this;
  }

  /** The id of the most recent APPROVAL_REQUIRED decision. */
  public String lastApprovalId() {
    return engine.lastApprovalId();
  }

  /**
   * Explains a call without running a tool, on this tester's engine and state (counters are taken
   * as by a decision whose tool then runs).
   */
  public Explanation explain(String tool, Map<String, ?> args, CallContext context) {
    return engine.engine().explain(ToolCall.of(tool, args), context);
  }

  /** The time on the test clock. */
  public Instant now() {
    return engine.clock().instant();
  }

  /** The test clock. */
  public TestClock clock() {
    return engine.clock();
  }

  /** The approval queue held calls wait in. */
  public InMemoryApprovalQueue approvals() {
    return engine.approvals();
  }

  /** The engine under test. */
  public PolicyEngine engine() {
    return engine.engine();
  }

  /** The policy under test. */
  public Policy policy() {
    return source.policy();
  }

  /** A copy of the policy document. */
  public JsonNode document() {
    return source.document();
  }

  /**
   * The {@code arguments} JSON Schema of the top-level entry whose key is {@code entryKey}
   * exactly, for {@link SchemaArguments}.
   *
   * @throws IllegalArgumentException if there is no such entry or it has no schema
   */
  public JsonNode argumentSchema(String entryKey) {
    for (PolicyView.Entry entry : source.view().tools()) {
      if (entry.key().equals(entryKey) && entry.arguments() != null) {
        return entry.arguments().schema();
      }
    }
    throw new IllegalArgumentException("the policy has no top-level entry \"" + entryKey + "\" with an arguments schema");
  }

  /** Which rules decided this tester's calls so far (with those of a shared collector). */
  public CoverageReport coverage() {
    return coverage.report();
  }

  /** The policy under test, with its validated model (used by the ready-made properties). */
  public PolicySource source() {
    return source;
  }

  /** Whether any call has been held for approval. */
  public boolean hasHeldCall() {
    return engine.hasHeldCall();
  }

  /** Another tester on the same policy with fresh counters, approvals and coverage, at this one's time. */
  public PolicyTester fresh() {
    return new PolicyTester(source).startingAt(now());
  }

  /** Decides and runs one call, the tool failing after an allowance when {@code toolFails}. */
  public Decision decide(ToolCall call, CallContext context, boolean toolFails) {
    Instant at = engine.clock().instant();
    Decision decision = engine.call(call, context, toolFails);
    CallLog.remember(decision, call, context, at, toolFails);
    return decision;
  }

  @Override
  public String toString() {
    return "PolicyTester[" + source.name() + " at " + now() + "]";
  }

  /**
   * Who calls, and how: an immutable view of the tester for one identity. Chain {@link
   * #withRoles}, {@link #inSession}, {@link #withAttributes}, {@link #toolFails} and {@link #times}
   * before {@code call}.
   */
  public final class Caller {
    private final CallContext context;
    private final int times;
    private final boolean toolFails;

    private Caller(CallContext context, int times, boolean toolFails) {
      this.context = context;
      this.times = times;
      this.toolFails = toolFails;
    }

    /** This caller with these roles instead of its own. */
    public Caller withRoles(String... roles) {
      return new Caller(context.withRoles(roles), times, toolFails);
    }

    /** This caller in session {@code sessionId}. */
    public Caller inSession(String sessionId) {
      return new Caller(context.withSession(sessionId), times, toolFails);
    }

    /** This caller with these attributes ({@code identity.attributes.<key>}) instead of its own. */
    public Caller withAttributes(Map<String, ?> attributes) {
      return new Caller(context.withAttributes(attributes), times, toolFails);
    }

    /**
     * This caller, whose calls run a tool that throws after the policy allowed it: limits with
     * {@code refund_on_error} give their cost back, as the engine's interceptor does.
     */
    public Caller toolFails() {
      return new Caller(context, times, true);
    }

    /** Repeats each call {@code n} times; {@code call} then returns {@link Decisions}. */
    public Repeated times(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("times must be at least 1; got " + n);
      }
      return new Repeated(new Caller(context, n, toolFails));
    }

    /** Calls {@code tool} with no arguments. */
    public Decision call(String tool) {
      return call(ToolCall.of(tool));
    }

    /** Calls {@code tool} with arguments given as a map of JSON-compatible values. */
    public Decision call(String tool, Map<String, ?> args) {
      return call(ToolCall.of(tool, args));
    }

    /** Calls {@code tool} with JSON arguments. */
    public Decision call(String tool, JsonNode args) {
      return call(ToolCall.of(tool, args));
    }

    /** Makes {@code call}, through the interceptor, and returns its decision. */
    public Decision call(ToolCall call) {
      return decide(call, context, toolFails);
    }

    /** The identity this caller calls with. */
    public CallContext context() {
      return context;
    }

    private Decisions repeat(ToolCall call) {
      List<Decision> out = new ArrayList<>(times);
      for (int i = 0; i < times; i++) {
        out.add(decide(call, context, toolFails));
      }
      return new Decisions(out);
    }
  }

  /** A {@link Caller} that makes each call several times. */
  public final class Repeated {
    private final Caller caller;

    private Repeated(Caller caller) {
      this.caller = caller;
    }

    /** Calls {@code tool} with no arguments, repeatedly. */
    public Decisions call(String tool) {
      return caller.repeat(ToolCall.of(tool));
    }

    /** Calls {@code tool} with these arguments, repeatedly. */
    public Decisions call(String tool, Map<String, ?> args) {
      return caller.repeat(ToolCall.of(tool, args));
    }

    /** Calls {@code tool} with these JSON arguments, repeatedly. */
    public Decisions call(String tool, JsonNode args) {
      return caller.repeat(ToolCall.of(tool, args));
    }

    /** Makes {@code call} repeatedly. */
    public Decisions call(ToolCall call) {
      return caller.repeat(call);
    }
  }
}
