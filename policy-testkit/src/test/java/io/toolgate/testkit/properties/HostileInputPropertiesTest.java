package io.toolgate.testkit.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * DESIGN.md "Hostile input", generated: over random policies whose rules read {@code args.n} and
 * {@code args.s} (conditions, {@code when} clauses of deny and approval entries, a limit's cost
 * or scope), a call carrying a hostile value is never allowed where the same call with its plain
 * counterpart is refused, the engine never throws, and every reason is one short line.
 *
 * <p>Plain counterparts keep what rules can see: {@code +Infinity} and {@code 1e400} act as
 * {@code 1e300}, {@code -Infinity} as {@code -1e300} (every threshold here is within a thousand);
 * a megabyte of {@code x} with a line break as {@code "x\nx"}; a value nested thousands deep as
 * {@code []}. NaN has no counterpart: it may be allowed only where every plain number is.
 */
class HostileInputPropertiesTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final CallContext AGENT = CallContext.of("agent-1");
  private static final List<JsonNode> EVERY_PLAIN_NUMBER = List.of(
      JSON.numberNode(-1e300), JSON.numberNode(-1000), JSON.numberNode(-1), JSON.numberNode(0),
      JSON.numberNode(1), JSON.numberNode(1000), JSON.numberNode(1e300));

  /** A hostile value for one argument, with the plain value that rules should see alike. */
  record Substitute(JsonNode hostile, JsonNode plain) {
    @Override
    public String toString() {
      String text = hostile.isContainerNode() ? "nested " + hostile.getNodeType() : hostile.toString();
      return (text.length() > 80 ? text.substring(0, 80) + "... (" + text.length() + " chars)" : text) + " ~ " + plain;
    }
  }

  @Test
  void aHostileNumberNeverBuysMoreThanItsPlainCounterpart() {
    qt().withExamples(400).forAll(policies(), hostileNumbers(), plainStrings())
        .checkAssert((policy, n, s) -> assertNoMoreThanPlain(policy, "n", n, "s", s));
  }

  @Test
  void aHostileStringNeverBuysMoreThanItsPlainCounterpart() {
    qt().withExamples(200).forAll(policies(), plainNumbers(), hostileStrings())
        .checkAssert((policy, n, s) -> assertNoMoreThanPlain(policy, "s", s, "n", n));
  }

  @Test
  void anyHostileArgumentsGetADecisionWithAShortReason() {
    PolicyEngine engine = PolicyEngine.of(Policy.fromResource("policies/shop.yaml"));
    qt().withExamples(150)
        .forAll(ToolgateGenerators.toolNames("create_compile", "transfer", "go_live"), ToolgateGenerators.hostileArguments())
        .checkAssert((tool, args) -> assertShortReason(engine.evaluate(ToolCall.of(tool, args), AGENT)));
  }

  private static void assertNoMoreThanPlain(JsonNode policy, String hostileKey, Substitute hostile, String otherKey, JsonNode other) {
    Decision withHostile = decide(policy, hostileKey, hostile.hostile(), otherKey, other);
    assertShortReason(withHostile);
    if (!withHostile.isAllowed()) {
      return;
    }
    List<JsonNode> plains = hostile.plain() == null ? EVERY_PLAIN_NUMBER : List.of(hostile.plain());
    for (JsonNode plain : plains) {
      Decision withPlain = decide(policy, hostileKey, plain, otherKey, other);
      assertThat(withPlain.isAllowed())
          .as("%s allowed (%s) where %s is refused: %s", hostile, withHostile.reason(), plain, withPlain.reason())
          .isTrue();
    }
  }

  /** Each decision on a fresh engine, so counters taken by one call never decide another. */
  private static Decision decide(JsonNode policy, String key, JsonNode value, String otherKey, JsonNode other) {
    ObjectNode args = JSON.objectNode();
    args.set(key, value);
    args.set(otherKey, other);
    return PolicyEngine.of(Policy.fromTree(policy)).evaluate(ToolCall.of("t", args), AGENT);
  }

  private static void assertShortReason(Decision d) {
    assertThat(d.reason()).isNotBlank().hasSizeLessThan(600);
    assertThat(d.reason().chars().noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'))
        .as("no control characters or line breaks in %s", d.reason().length() > 200 ? d.reason().substring(0, 200) : d.reason())
        .isTrue();
  }

  private static Gen<Substitute> hostileNumbers() {
    JsonNode big = JSON.numberNode(1e300);
    JsonNode small = JSON.numberNode(-1e300);
    return ToolgateGenerators.choose(
        Generate.pick(List.of(
            new Substitute(JSON.numberNode(Double.POSITIVE_INFINITY), big),
            new Substitute(JSON.numberNode(Double.NEGATIVE_INFINITY), small),
            new Substitute(JSON.numberNode(new BigDecimal("1e400")), big),
            new Substitute(JSON.numberNode(new BigDecimal("-1e400")), small),
            new Substitute(JSON.numberNode(Double.NaN), null))),
        SourceDSL.integers().between(100, 3_000).map(depth -> new Substitute(nested(depth), JSON.arrayNode())));
  }

  private static Gen<Substitute> hostileStrings() {
    return SourceDSL.integers().between(1, 1 << 20).zip(Generate.pick(List.of("\n", "\u0000", "\u2028", "\r\n")),
        (length, breaker) -> new Substitute(
            JSON.textNode("x".repeat(length) + breaker + "x".repeat(length)), JSON.textNode("x" + breaker + "x")));
  }

  private static Gen<JsonNode> plainNumbers() {
    return SourceDSL.integers().between(-1200, 1200).map(i -> (JsonNode) JSON.numberNode(i));
  }

  private static Gen<JsonNode> plainStrings() {
    return Generate.pick(List.of("x", "y", "xy", "x\nx", "")).map(s -> (JsonNode) JSON.textNode(s));
  }

  private static JsonNode nested(int depth) {
    JsonNode node = JSON.numberNode(5);
    for (int i = 0; i < depth; i++) {
      node = JSON.arrayNode().add(node);
    }
    return node;
  }

  /** Policies for tool {@code t} whose conditions, whens and limits read {@code args.n} and {@code args.s}. */
  private static Gen<JsonNode> policies() {
    Gen<Integer> entryKinds = Generate.range(0, 2);
    Gen<List<Integer>> entries = SourceDSL.lists().of(entryKinds).ofSizeBetween(1, 3);
    Gen<Integer> limitKinds = Generate.range(0, 2);
    Gen<Boolean> defaults = Generate.booleans();
    return in -> {
      ObjectNode policy = JSON.objectNode().put("version", "1").put("default", defaults.generate(in) ? "allow" : "deny");
      ObjectNode tools = policy.putObject("tools");
      List<Integer> kinds = entries.generate(in);
      for (int i = 0; i < kinds.size(); i++) {
        ObjectNode entry = tools.putObject(i == 0 ? "t" : i == 1 ? "*" : "?");
        switch (kinds.get(i)) {
          case 0 -> {
            entry.set("conditions", conditions(in, 0, 2));
            switch (limitKinds.generate(in)) {
              case 1 -> entry.putArray("limits").addObject().put("max", 10).put("window", "minute").put("cost_from", "args.n");
              case 2 -> entry.putArray("limits").addObject().put("max", 1).put("window", "minute").put("scope", "args.n");
              default -> { }
            }
          }
          case 1 -> entry.put("action", "deny").set("when", conditions(in, 1, 2));
          default -> entry.put("action", "require_approval").set("when", conditions(in, 1, 2));
        }
      }
      return policy;
    };
  }

  private static ArrayNode conditions(RandomnessSource in, int min, int max) {
    Gen<Integer> counts = Generate.range(min, max);
    Gen<Boolean> onNumber = Generate.booleans();
    Gen<String> numberOps = Generate.pick(List.of("eq", "neq", "lt", "lte", "gt", "gte", "in", "not_in", "exists"));
    Gen<String> stringOps = Generate.pick(List.of(
        "eq", "neq", "lt", "gt", "in", "not_in", "contains", "not_contains", "starts_with", "ends_with", "regex", "not_regex"));
    Gen<Integer> thresholds = SourceDSL.integers().between(-1000, 1000);
    Gen<String> texts = Generate.pick(List.of("x", "y", "\n"));
    Gen<String> regexes = Generate.pick(List.of("^x", "x$", "y", "\\n", "^x+$"));
    ArrayNode out = JSON.arrayNode();
    int count = counts.generate(in);
    for (int i = 0; i < count; i++) {
      ObjectNode c = out.addObject();
      if (onNumber.generate(in)) {
        String op = numberOps.generate(in);
        c.put("path", "args.n").put("op", op);
        switch (op) {
          case "in", "not_in" -> c.putArray("value").add(thresholds.generate(in)).add(thresholds.generate(in));
          case "exists" -> c.put("value", onNumber.generate(in));
          default -> c.put("value", thresholds.generate(in));
        }
      } else {
        String op = stringOps.generate(in);
        c.put("path", "args.s").put("op", op);
        switch (op) {
          case "in", "not_in" -> c.putArray("value").add(texts.generate(in)).add(texts.generate(in));
          case "regex", "not_regex" -> c.put("value", regexes.generate(in));
          default -> c.put("value", texts.generate(in));
        }
      }
    }
    return out;
  }
}
