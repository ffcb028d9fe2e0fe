package io.toolgate.testkit.properties;

import static org.quicktheories.generators.SourceDSL.lists;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Rules;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyView;
import io.toolgate.engine.PolicyView.Action;
import io.toolgate.engine.PolicyView.Entry;
import io.toolgate.engine.PolicyView.Limit;
import io.toolgate.engine.ToolGlob;
import io.toolgate.scenarios.PolicySource;
import io.toolgate.scenarios.TestEngine;
import io.toolgate.testkit.DecisionAssert;
import io.toolgate.testkit.PolicyTester;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Ready-made properties that hold for any correct policy and engine, checked with QuickTheories
 * over generated interleavings of calls, clock advances, tool failures and approval answers.
 *
 * <pre>{@code
 * PolicyProperties properties = PolicyProperties.of(PolicyTester.load("policy.yaml"));
 * properties.countersNeverOverAdmit();
 * properties.onlyAllows("create_compile", "read_*");
 * properties.decisionsIgnoreKeyOrder();
 * }</pre>
 *
 * <p>Each example runs on a fresh engine (fresh counters and approvals) over the tester's policy.
 * A failure reports the smallest interleaving QuickTheories found and its seed; rerun with
 * {@code -DQT_SEED=<seed>} or {@link #withSeed}. Defaults: 200 examples, a random seed, up to 500
 * shrinking steps.
 */
public final class PolicyProperties {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Enough to shrink an interleaving to a few steps; QuickTheories' default is 100 per example. */
  private static final int SHRINK_CYCLES = 500;

  private static final java.util.regex.Pattern APPROVAL_ID =
      java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final PolicyTester tester;
  private final int examples;
  private final Long seed;
  private final Gen<List<Step>> steps;

  private PolicyProperties(PolicyTester tester, int examples, Long seed, Gen<List<Step>> steps) {
    this.tester = tester;
    this.examples = examples;
    this.seed = seed;
    this.steps = steps;
  }

  /** Properties of {@code tester}'s policy, with interleavings from {@link #steps(PolicyTester)}. */
  public static PolicyProperties of(PolicyTester tester) {
    return new PolicyProperties(tester, 200, null, steps(tester));
  }

  /** How many interleavings to try (default 200). */
  public PolicyProperties withExamples(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("examples must be at least 1; got " + count);
    }
    return new PolicyProperties(tester, count, seed, steps);
  }

  /** A fixed seed, to reproduce a failure. */
  public PolicyProperties withSeed(long fixedSeed) {
    return new PolicyProperties(tester, examples, fixedSeed, steps);
  }

  /** Interleavings from {@code generator} instead of the default ones. */
  public PolicyProperties withSteps(Gen<List<Step>> generator) {
    return new PolicyProperties(tester, examples, seed, Objects.requireNonNull(generator, "generator"));
  }

  /** One thing that happens in an interleaving. */
  public sealed interface Step permits Call, Advance, Answer {}

  /**
   * A call, through the interceptor.
   *
   * @param call the tool and arguments
   * @param context who calls
   * @param toolFails whether the tool throws after an allowance
   */
  public record Call(ToolCall call, CallContext context, boolean toolFails) implements Step {
    @Override
    public String toString() {
      return "call " + TestEngine.describe(call, context, null, toolFails);
    }
  }

  /** The clock moves forward. */
  public record Advance(Duration amount) implements Step {
    @Override
    public String toString() {
      return "advance " + DecisionAssert.format(amount);
    }
  }

  /** The last held call is approved ({@code approve}) or rejected; nothing if no call is held. */
  public record Answer(boolean approve) implements Step {
    @Override
    public String toString() {
      return approve ? "approve last" : "reject last";
    }
  }

  // ---- the properties -----------------------------------------------------------------------

  /**
   * A counter never admits more than its {@code max} per window, under any interleaving: for
   * every limit of every entry that allowed a call, the costs of the calls it admitted and kept
   * (tools that failed under {@code refund_on_error} give theirs back) never exceed {@code max}
   * in one aligned window ({@code fixed}) or in any interval of the window's length ({@code
   * sliding}).
   */
  public void countersNeverOverAdmit() {
    PolicyView model = tester.source().view();
    Map<String, Entry> entries = Interleavings.entriesByPointer(model);
    theory().forAll(steps).checkAssert(script -> {
      List<Admissions.Admission> admissions = new ArrayList<>();
      PolicyTester run = tester.fresh();
      for (Step step : script) {
        Decision d = apply(run, step);
        if (d != null && d.isAllowed() && !Rules.FAIL_OPEN.equals(d.rule())) {
          Call call = (Call) step;
          long at = run.now().toEpochMilli();
          for (String pointer : d.matched()) {
            Entry entry = entries.get(pointer);
            if (entry == null || entry.action() == Action.DENY) {
              continue;
            }
            for (Limit limit : entry.limits()) {
              if (call.toolFails() && limit.refundOnError()) {
                continue;
              }
              admissions.add(new Admissions.Admission(limit, Admissions.key(limit, call), at, Admissions.cost(limit, call)));
            }
          }
        }
      }
      String problem = Admissions.overAdmission(admissions);
      if (problem != null) {
        throw new AssertionError(problem + "\n  interleaving: " + script);
      }
    });
  }

  /**
   * Under {@code default: deny}, no call outside the allowed set is ever allowed: whatever the
   * name (near misses, case, white space, Unicode look-alikes, anything), the identity and the
   * arguments, an allowance is only ever for a name that one of {@code namesOrGlobs} matches.
   *
   * @throws AssertionError if the policy's default is {@code allow}, or a call outside the set is
   *     allowed
   */
  public void onlyAllows(String... namesOrGlobs) {
    PolicyView model = tester.source().view();
    if (model.defaultAllow()) {
      throw new AssertionError(tester.source().name() + " has default: allow; every unlisted call is allowed");
    }
    List<ToolGlob> allowed = new ArrayList<>();
    for (String pattern : namesOrGlobs) {
      allowed.add(ToolGlob.compile(pattern));
    }
    Set<String> names = new LinkedHashSet<>(Interleavings.toolNames(model));
    names.addAll(List.of(namesOrGlobs));
    Gen<ToolCall> calls = ToolgateGenerators.toolCalls(ToolgateGenerators.toolNames(names.toArray(String[]::new)), Interleavings.arguments(tester));
    Gen<CallContext> who = ToolgateGenerators.identities(Interleavings.grantKeys(model).toArray(String[]::new))
        .mix(ToolgateGenerators.identities(), 30);
    Gen<List<Call>> scripts = lists().of(calls.zip(who, (c, w) -> new Call(c, w, false))).ofSizeBetween(1, 8);
    theory().forAll(scripts).checkAssert(script -> {
      PolicyTester run = tester.fresh();
      for (Call call : script) {
        Decision d = run.decide(call.call(), call.context(), false);
        if (d.isAllowed() && allowed.stream().noneMatch(g -> g.matches(call.call().tool()))) {
          throw new AssertionError("a call outside " + List.of(namesOrGlobs) + " was allowed\n  " + call
              + "\n  decision: " + DecisionAssert.describe(d));
        }
      }
    });
  }

  /**
   * The decision does not depend on the order of keys in the policy file: the same interleaving
   * run against the policy and against a copy with every mapping's keys shuffled gets the same
   * decisions (kind, rule, matched entries, reason, retry-after).
   */
  public void decisionsIgnoreKeyOrder() {
    Gen<Long> shuffles = Generate.longRange(1, Long.MAX_VALUE - 1);
    theory().forAll(steps, shuffles).checkAssert((script, shuffle) -> {
      JsonNode shuffled = shuffled(tester.document(), new Random(shuffle));
      PolicyTester original = tester.fresh();
      PolicyTester reordered = PolicyTester.of(PolicySource.tree(shuffled, tester.source().name() + " (keys shuffled)"));
      reordered.startingAt(original.now());
      int n = 0;
      for (Step step : script) {
        n++;
        Decision a = apply(original, step);
        Decision b = apply(reordered, step);
        if (a != null && !fingerprint(a).equals(fingerprint(b))) {
          throw new AssertionError("step " + n + " (" + step + ") is decided differently once keys are reordered\n"
              + "  as written: " + DecisionAssert.describe(a) + "\n  reordered:  " + DecisionAssert.describe(b)
              + "\n  reordered policy: " + shuffled + "\n  interleaving: " + script);
        }
      }
    });
  }

  // ---- running --------------------------------------------------------------------------------

  private QuickTheory theory() {
    QuickTheory qt = QuickTheory.qt().withExamples(examples).withShrinkCycles(SHRINK_CYCLES);
    return seed == null ? qt : qt.withFixedSeed(seed);
  }

  /** Applies one step; the decision for a call, else {@code null}. */
  static Decision apply(PolicyTester run, Step step) {
    if (step instanceof Call call) {
      return run.decide(call.call(), call.context(), call.toolFails());
    }
    if (step instanceof Advance advance) {
      run.advance(advance.amount());
      return null;
    }
    Answer answer = (Answer) step;
    if (run.hasHeldCall() && run.approvals().pending().stream().anyMatch(p -> p.id().equals(run.lastApprovalId()))) {
      if (answer.approve()) {
        run.approveLast();
      } else {
        run.rejectLast();
      }
    }
    return null;
  }

  private static String fingerprint(Decision d) {
    // Approval ids are random: the same request gets a different one on each engine.
    String reason = d.reason() == null ? null : APPROVAL_ID.matcher(d.reason()).replaceAll("<id>");
    if (d instanceof Decision.ApprovalRequired held && reason != null && held.approvalId() != null) {
      reason = reason.replace(held.approvalId(), "<id>");
    }
    String retry = d instanceof Decision.RateLimited r ? " retry " + r.retryAfter() + " counter " + r.counter() : "";
    return d.kind() + " " + d.rule() + " " + d.matched() + " " + reason + retry;
  }

  static JsonNode shuffled(JsonNode node, Random random) {
    if (node.isObject()) {
      List<String> keys = new ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      Collections.shuffle(keys, random);
      ObjectNode out = JSON.objectNode();
      for (String key : keys) {
        out.set(key, shuffled(node.get(key), random));
      }
      return out;
    }
    if (node.isArray()) {
      com.fasterxml.jackson.databind.node.ArrayNode out = JSON.arrayNode();
      node.forEach(element -> out.add(shuffled(element, random)));
      return out;
    }
    return node;
  }

  /**
   * Interleavings over {@code tester}'s policy: calls of the tools it names (globs filled in,
   * some near misses), by a small pool of identities (its grant keys as principals and roles,
   * with or without a session), with arguments its schemas accept or that carry the arguments its
   * conditions, scopes and costs read; clock advances around window boundaries; tools that fail;
   * answers to held calls. Up to 40 steps.
   */
  public static Gen<List<Step>> steps(PolicyTester tester) {
    return Interleavings.steps(tester);
  }
}
