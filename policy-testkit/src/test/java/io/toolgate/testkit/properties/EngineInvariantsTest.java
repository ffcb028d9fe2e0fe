package io.toolgate.testkit.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Explanation;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.PolicyDocuments;
import io.toolgate.testkit.PolicyTester;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/** The engine's own invariants, property-tested with the testkit's generators. */
class EngineInvariantsTest {
  private static final ObjectMapper JSON = PolicyDocuments.jsonMapper();

  private static final List<String> POLICIES = List.of(
      "policies/shop.yaml",
      "quickstart/policy.yaml",
      "policies/counters.yaml",
      "policies/paths.yaml");

  @Test
  void theEngineNeverThrowsOnAnyCallAnyArgumentsOrAnyIdentity() {
    Gen<ToolCall> calls = ToolgateGenerators.toolCalls().mix(unconvertibleMaps(), 10);
    for (String resource : POLICIES) {
      Policy policy = Policy.fromResource(resource);
      PolicyEngine engine = PolicyEngine.builder(policy)
          .approvals(InMemoryApprovalQueue.builder(Clock.systemUTC()).build())
          .audit(event -> { })
          .build();
      qt().withExamples(250).forAll(calls, ToolgateGenerators.identities().mix(Generate.constant(CallContext.anonymous()), 20))
          .checkAssert((call, who) -> {
            Decision evaluated = engine.evaluate(call, who);
            assertDecision(evaluated, call, who);
            Explanation explained = engine.explain(call, who);
            assertDecision(explained.decision(), call, who);
            assertThat(explained.render()).isNotBlank();
            Decision[] seen = new Decision[1];
            Object result = engine.call(call, who, () -> "ran", refusal -> {
              seen[0] = refusal;
              return "refused";
            });
            assertThat(result).isIn("ran", "refused");
            if (seen[0] != null) {
              assertDecision(seen[0], call, who);
            }
            assertThat(engine.isListed(call.tool(), who)).isIn(true, false);
          });
    }
  }

  /** Arguments given as a map that does not convert to JSON: a denial, never an exception. */
  private static Gen<ToolCall> unconvertibleMaps() {
    return ToolgateGenerators.toolNames("create_compile", "transfer").map(name -> {
      Map<String, Object> args = new HashMap<>();
      args.put("projectId", new Object() {
        @Override
        public String toString() {
          throw new IllegalStateException("not JSON");
        }
      });
      return ToolCall.of(name, args);
    });
  }

  private static void assertDecision(Decision d, ToolCall call, CallContext who) {
    assertThat(d).isNotNull();
    assertThat(d.tool()).isEqualTo(call.tool());
    assertThat(d.principal()).isEqualTo(who.principal());
    assertThat(d.reason()).isNotBlank();
    assertThat(d.rule()).isNotNull();
    assertThat(d.rule()).as("no internal error for %s", call).isNotEqualTo("error");
  }

  @Test
  void countersNeverOverAdmitUnderRandomInterleavingsOfCallsAdvancesAndFailures() {
    PolicyProperties.of(PolicyTester.load("policies/counters.yaml")).withExamples(300).countersNeverOverAdmit();
  }

  @Test
  void decisionsDoNotDependOnKeyOrder() {
    PolicyProperties.of(PolicyTester.load("policies/counters.yaml")).withExamples(150).decisionsIgnoreKeyOrder();
    PolicyProperties.of(PolicyTester.load("policies/paths.yaml")).withExamples(150).decisionsIgnoreKeyOrder();
  }

  @Test
  void aReloadMidStreamNeverMixesTwoPoliciesInOneDecision() throws Exception {
    qt().withExamples(60).forAll(policies(), policies(), SourceDSL.lists().of(simpleCalls()).ofSizeBetween(20, 60))
        .checkAssert((a, b, calls) -> {
          PolicyEngine onlyA = PolicyEngine.of(Policy.fromTree(a));
          PolicyEngine onlyB = PolicyEngine.of(Policy.fromTree(b));
          PolicyEngine engine = PolicyEngine.of(Policy.fromTree(a));
          Policy policyA = engine.policy();
          Policy policyB = Policy.fromTree(b);
          AtomicBoolean running = new AtomicBoolean(true);
          Thread reloader = new Thread(() -> {
            boolean flip = false;
            while (running.get()) {
              engine.reload(flip ? policyA : policyB);
              flip = !flip;
            }
          });
          reloader.start();
          List<String> mixed = new ArrayList<>();
          try {
            for (ToolCall call : calls) {
              CallContext who = CallContext.of("agent-1").withRoles("ops");
              String expectedA = fingerprint(onlyA.evaluate(call, who));
              String expectedB = fingerprint(onlyB.evaluate(call, who));
              for (int i = 0; i < 20; i++) {
                String got = fingerprint(i % 2 == 0 ? engine.evaluate(call, who) : engine.explain(call, who).decision());
                if (!got.equals(expectedA) && !got.equals(expectedB)) {
                  mixed.add(call + ": " + got + " is neither " + expectedA + " nor " + expectedB);
                }
              }
            }
          } finally {
            running.set(false);
            try {
              reloader.join();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          assertThat(mixed).as("policy A %s, policy B %s", a, b).isEmpty();
        });
  }

  private static String fingerprint(Decision d) {
    return d.kind() + " " + d.rule() + " " + d.matched() + " " + d.reason();
  }

  /** Small stateless policies (no limits, no approvals) over a few tool names and one argument. */
  private static Gen<JsonNode> policies() {
    Gen<String> keys = Generate.pick(List.of("a", "b", "c", "a*", "?", "*", "[ab]"));
    Gen<Integer> actions = Generate.range(0, 2);
    Gen<Integer> thresholds = Generate.range(0, 5);
    Gen<List<String>> entryKeys = SourceDSL.lists().of(keys).ofSizeBetween(0, 4);
    Gen<Boolean> flags = Generate.booleans();
    return in -> {
      ObjectNode policy = JSON.createObjectNode();
      policy.put("version", "1");
      policy.put("default", flags.generate(in) ? "allow" : "deny");
      if (flags.generate(in)) {
        policy.putArray("hide").add(keys.generate(in));
      }
      ObjectNode tools = policy.putObject("tools");
      for (String key : entryKeys.generate(in)) {
        tools.set(key, entry(in, actions, thresholds));
      }
      if (flags.generate(in)) {
        ObjectNode grantTools = policy.putObject("grants").putObject("ops").putObject("tools");
        for (String key : entryKeys.generate(in)) {
          grantTools.set(key, entry(in, actions, thresholds));
        }
      }
      return policy;
    };
  }

  private static ObjectNode entry(org.quicktheories.core.RandomnessSource in, Gen<Integer> actions, Gen<Integer> thresholds) {
    ObjectNode entry = JSON.createObjectNode();
    int action = actions.generate(in);
    int threshold = thresholds.generate(in);
    if (action == 1) {
      entry.put("action", "deny").put("reason", "no " + threshold);
      if (threshold > 2) {
        entry.putArray("when").addObject().put("path", "args.n").put("op", "gt").put("value", threshold);
      }
    } else if (action == 2) {
      entry.putArray("conditions").addObject().put("path", "args.n").put("op", "lte").put("value", threshold)
          .put("reason", "n at most " + threshold);
    }
    return entry;
  }

  private static Gen<ToolCall> simpleCalls() {
    return Generate.pick(List.of("a", "b", "c", "ab", "z", "")).zip(Generate.range(0, 6),
        (name, n) -> ToolCall.of(name, Map.of("n", n)));
  }
}
