package io.toolgate.testkit.properties;

import static org.quicktheories.generators.SourceDSL.lists;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.engine.PolicyView;
import io.toolgate.engine.PolicyView.Action;
import io.toolgate.engine.PolicyView.Entry;
import io.toolgate.engine.ToolGlob;
import io.toolgate.testkit.PolicyTester;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** The default interleavings of {@link PolicyProperties}: calls, clock advances and answers drawn from a policy. */
final class Interleavings {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final List<Duration> ADVANCES = List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(29), Duration.ofSeconds(30), Duration.ofSeconds(59), Duration.ofSeconds(60),
      Duration.ofSeconds(61), Duration.ofMillis(1500), Duration.ofHours(1), Duration.ofDays(1));

  private Interleavings() {}

  /**
   * Interleavings over {@code tester}'s policy: calls of the tools it names (globs filled in,
   * some near misses), by a small pool of identities (its grant keys as principals and roles,
   * with or without a session), with arguments its schemas accept or that carry the arguments its
   * conditions, scopes and costs read; clock advances around window boundaries; tools that fail;
   * answers to held calls. Up to 40 steps.
   */
  static Gen<List<PolicyProperties.Step>> steps(PolicyTester tester) {
    PolicyView model = tester.source().view();
    List<String> names = toolNames(model);
    names.add("unlisted_tool");
    Gen<String> name = Generate.pick(names).mix(ToolgateGenerators.toolNames(names.toArray(String[]::new)), 10);
    List<String> pool = new ArrayList<>(grantKeys(model));
    pool.addAll(List.of("agent-1", "agent-2"));
    Gen<String> principal = Generate.pick(pool);
    Gen<List<String>> roles = lists().of(Generate.pick(pool)).ofSizeBetween(0, 2);
    Gen<String> session = Generate.pick(java.util.Arrays.asList("s1", "s2", null));
    Gen<CallContext> who = principal.zip(roles, session, (p, r, s) -> new CallContext(p, new HashSet<>(r), Map.of(), s));
    Gen<PolicyProperties.Step> call = ToolgateGenerators.toolCalls(name, arguments(tester))
        .zip(who, Generate.range(0, 3), (c, w, fails) -> (PolicyProperties.Step) new PolicyProperties.Call(c, w, fails == 3));
    Gen<PolicyProperties.Step> advance = Generate.pick(ADVANCES).map(d -> (PolicyProperties.Step) new PolicyProperties.Advance(d));
    Gen<PolicyProperties.Step> answer = Generate.booleans().map(b -> (PolicyProperties.Step) new PolicyProperties.Answer(b));
    boolean approvals = entriesByPointer(model).values().stream().anyMatch(e -> e.action() == Action.REQUIRE_APPROVAL);
    Gen<Integer> which = Generate.range(0, 9);
    Gen<PolicyProperties.Step> step = in -> {
      int w = which.generate(in);
      if (w < 6) {
        return call.generate(in);
      }
      if (w < 9 || !approvals) {
        return advance.generate(in);
      }
      return answer.generate(in);
    };
    return lists().of(step).ofSizeBetween(1, 40);
  }

  /** Arguments for calls under {@code tester}'s policy: schema samples and the keys its rules read. */
  static Gen<JsonNode> arguments(PolicyTester tester) {
    PolicyView model = tester.source().view();
    List<Gen<JsonNode>> gens = new ArrayList<>();
    for (Entry entry : entriesByPointer(model).values()) {
      if (entry.arguments() != null) {
        try {
          gens.add(SchemaArguments.valid(entry.arguments().schema()));
        } catch (IllegalArgumentException unsupported) {
          // a schema beyond what the generator supports: the other argument shapes still apply
        }
      }
    }
    Set<String> keys = new LinkedHashSet<>();
    argumentKeys(tester.document(), keys);
    List<String> keyList = new ArrayList<>(keys);
    keyList.add("other");
    Gen<JsonNode> small = Generate.pick(List.<JsonNode>of(JSON.numberNode(1), JSON.numberNode(0), JSON.numberNode(2),
        JSON.numberNode(3), JSON.numberNode(7), JSON.numberNode(12), JSON.numberNode(-1), JSON.textNode("a"),
        JSON.textNode("7"), JSON.numberNode(new BigDecimal("7.0")), JSON.booleanNode(true), JSON.nullNode()));
    Gen<List<String>> chosen = lists().of(Generate.pick(keyList)).ofSizeBetween(0, keyList.size() + 1);
    Gen<JsonNode> read = in -> {
      ObjectNode out = JSON.objectNode();
      for (String key : chosen.generate(in)) {
        out.set(key, small.generate(in));
      }
      return out;
    };
    gens.add(read);
    gens.add(read);
    gens.add(Generate.constant((JsonNode) JSON.objectNode()));
    Gen<Integer> index = Generate.range(0, gens.size() - 1);
    return in -> gens.get(index.generate(in)).generate(in);
  }

  /** The first segment of every {@code args.<name>} path the document mentions. */
  private static void argumentKeys(JsonNode node, Set<String> out) {
    if (node.isTextual() && node.textValue().startsWith("args.")) {
      String rest = node.textValue().substring(5);
      int dot = rest.indexOf('.');
      out.add(dot < 0 ? rest : rest.substring(0, dot));
    }
    for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
      argumentKeys(it.next(), out);
    }
  }

  /** Every tool entry, top-level and in grants, by its pointer. */
  static Map<String, Entry> entriesByPointer(PolicyView model) {
    Map<String, Entry> out = new LinkedHashMap<>();
    model.tools().forEach(e -> out.put(e.pointer(), e));
    model.grants().forEach(g -> g.tools().forEach(e -> out.put(e.pointer(), e)));
    return out;
  }

  /** The grants' keys, in document order. */
  static List<String> grantKeys(PolicyView model) {
    List<String> out = new ArrayList<>();
    model.grants().forEach(g -> out.add(g.key()));
    return out;
  }

  /** Names the policy's keys and hide list stand for: exact keys, and a name each glob matches. */
  static List<String> toolNames(PolicyView model) {
    Set<String> out = new LinkedHashSet<>();
    List<String> patterns = new ArrayList<>();
    entriesByPointer(model).values().forEach(e -> patterns.add(e.key()));
    model.hide().forEach(h -> patterns.add(h.pattern()));
    for (String pattern : patterns) {
      out.add(ToolGlob.isGlob(pattern) ? instance(pattern) : pattern);
    }
    return new ArrayList<>(out);
  }

  /** A name {@code glob} matches: each {@code *} as "x", each {@code ?} as "y", each class as its first member. */
  private static String instance(String glob) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        out.append('x');
      } else if (c == '?') {
        out.append('y');
      } else if (c == '[') {
        int close = glob.indexOf(']', i + 1);
        out.append(glob.charAt(i + 1));
        i = close;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
