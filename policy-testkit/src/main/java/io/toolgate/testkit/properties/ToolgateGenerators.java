package io.toolgate.testkit.properties;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * QuickTheories generators of what agents send: tool names, arguments (any JSON), identities and
 * whole calls. They shrink (QuickTheories shrinks through the random draws, so a failing example
 * comes back small: shorter names, fewer keys, simpler values) and are reproducible (a failure
 * prints its seed; rerun with {@code -DQT_SEED=<seed>}).
 *
 * <pre>{@code
 * qt().withExamples(300)
 *     .forAll(ToolgateGenerators.toolCalls(), ToolgateGenerators.identities())
 *     .checkAssert((call, who) -> assertThat(engine.evaluate(call, who).reason()).isNotBlank());
 * }</pre>
 */
public final class ToolgateGenerators {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 4;

  private ToolgateGenerators() {}

  /** Picks one of several generators (the first is where shrinking heads). */
  @SafeVarargs
  static <T> Gen<T> choose(Gen<? extends T>... gens) {
    List<Gen<? extends T>> all = Arrays.asList(gens);
    Gen<Integer> index = Generate.range(0, all.size() - 1);
    return in -> all.get(index.generate(in)).generate(in);
  }

  /**
   * Any tool name: the empty string, white space, Unicode (lone surrogates included), glob
   * characters, look-alikes of common names, very long names.
   */
  public static Gen<String> toolNames() {
    return choose(
        strings().basicLatinAlphabet().ofLengthBetween(0, 12),
        Generate.pick(List.of("", " ", "\t", "\n", "\u00a0", "\u200b", "*", "?", "[a]", "a*", "admin_*", "/", "~", "..", "null")),
        strings().allPossible().ofLengthBetween(0, 8),
        strings().betweenCodePoints(0x20, 0x2FF).ofLengthBetween(1, 10),
        integers().between(200, 5000).map(n -> "x".repeat(n)));
  }

  /**
   * Tool names near {@code known}: the names themselves, and what an agent might send by
   * mistake or on purpose: another case, surrounding white space, a suffix, a Unicode
   * look-alike, a zero-width character; mixed with {@link #toolNames()}.
   */
  public static Gen<String> toolNames(String... known) {
    if (known.length == 0) {
      return toolNames();
    }
    Gen<String> name = Generate.pick(List.of(known));
    Gen<String> nearMiss = name.zip(Generate.range(0, 7), ToolgateGenerators::nearMiss);
    return choose(name, nearMiss, toolNames());
  }

  private static String nearMiss(String name, int how) {
    return switch (how) {
      case 0 -> name.toUpperCase(Locale.ROOT).equals(name) ? name.toLowerCase(Locale.ROOT) : name.toUpperCase(Locale.ROOT);
      case 1 -> name + " ";
      case 2 -> " " + name;
      case 3 -> name + "_";
      case 4 -> name.replace('a', '\u0430').replace('e', '\u0435').replace('o', '\u043e') + (name.isEmpty() ? "\u0430" : "");
      case 5 -> name.isEmpty() ? "\u200b" : name.charAt(0) + "\u200b" + name.substring(1);
      case 6 -> name.isEmpty() ? "x" : name.substring(0, name.length() - 1);
      default -> name + "\u0000";
    };
  }

  /** Any JSON value, nested up to four levels: objects, arrays, strings, numbers, booleans, null. */
  public static Gen<JsonNode> json() {
    return json(MAX_DEPTH);
  }

  /** A JSON object of any JSON values. */
  public static Gen<JsonNode> jsonObjects() {
    return object(MAX_DEPTH);
  }

  /** JSON scalars: strings (any Unicode), integers, decimals, big numbers, booleans, null. */
  public static Gen<JsonNode> jsonScalars() {
    return choose(
        integers().between(-3, 10).map(i -> (JsonNode) JSON.numberNode(i)),
        strings().basicLatinAlphabet().ofLengthBetween(0, 8).map(s -> (JsonNode) JSON.textNode(s)),
        Generate.booleans().map(b -> (JsonNode) JSON.booleanNode(b)),
        Generate.constant((JsonNode) JSON.nullNode()),
        longs().all().map(l -> (JsonNode) JSON.numberNode(l)),
        doubles().any().map(d -> Double.isFinite(d) ? (JsonNode) JSON.numberNode(d) : (JsonNode) JSON.textNode(String.valueOf(d))),
        Generate.pick(List.of("1e400", "-0", "0.1", "123456789012345678901234567890"))
            .map(n -> (JsonNode) JSON.numberNode(new BigDecimal(n))),
        strings().allPossible().ofLengthBetween(0, 12).map(s -> (JsonNode) JSON.textNode(s)));
  }

  private static Gen<JsonNode> json(int depth) {
    if (depth <= 0) {
      return jsonScalars();
    }
    return choose(jsonScalars(), jsonScalars(), object(depth), array(depth));
  }

  private static Gen<JsonNode> object(int depth) {
    Gen<String> keys = choose(
        Generate.pick(List.of("projectId", "amount", "path", "name", "items", "password", "api_key", "")),
        strings().basicLatinAlphabet().ofLengthBetween(0, 6),
        strings().allPossible().ofLengthBetween(0, 4));
    Gen<List<String>> keyLists = lists().of(keys).ofSizeBetween(0, 5);
    return in -> {
      ObjectNode node = JSON.objectNode();
      for (String key : keyLists.generate(in)) {
        node.set(key, json(depth - 1).generate(in));
      }
      return node;
    };
  }

  private static Gen<JsonNode> array(int depth) {
    Gen<Integer> sizes = Generate.range(0, 4);
    return in -> {
      ArrayNode node = JSON.arrayNode();
      int size = sizes.generate(in);
      for (int i = 0; i < size; i++) {
        node.add(json(depth - 1).generate(in));
      }
      return node;
    };
  }

  /**
   * Values sent to break a reader rather than a rule: {@code +/-Infinity} (what {@code 1e999}
   * becomes in Jackson and the MCP SDK), NaN, numbers beyond a double's range, strings of up to a
   * megabyte, text full of control, format and line-separator characters, and arrays or objects
   * nested thousands deep. None of them may buy a call more than a plain value would.
   */
  public static Gen<JsonNode> hostileValues() {
    return choose(
        Generate.pick(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN))
            .map(d -> (JsonNode) JSON.numberNode(d)),
        Generate.pick(List.of("1e400", "-1e400", "1e-400", "9".repeat(400)))
            .map(n -> (JsonNode) JSON.numberNode(new BigDecimal(n))),
        integers().between(1, 1 << 20).map(n -> (JsonNode) JSON.textNode(" ".repeat(n))),
        integers().between(1, 1 << 20).map(n -> (JsonNode) JSON.textNode("x".repeat(n) + "\n" + "x".repeat(n))),
        strings().betweenCodePoints(0, 0x20).ofLengthBetween(1, 64)
            .map(text -> (JsonNode) JSON.textNode(text + "\u2028\u202e\u200b\u0085")),
        integers().between(1, 3_000).map(ToolgateGenerators::nested))
        .describedAs(ToolgateGenerators::summary);
  }

  /** Objects whose values are mostly ordinary and sometimes {@link #hostileValues() hostile}. */
  public static Gen<JsonNode> hostileArguments() {
    Gen<String> keys = Generate.pick(List.of("projectId", "amount", "path", "name", "items", "q", "x".repeat(10_000)));
    Gen<List<String>> keyLists = lists().of(keys).ofSizeBetween(1, 4);
    Gen<JsonNode> values = choose(hostileValues(), jsonScalars());
    Gen<JsonNode> objects = in -> {
      ObjectNode node = JSON.objectNode();
      for (String key : keyLists.generate(in)) {
        node.set(key, values.generate(in));
      }
      return node;
    };
    return objects.describedAs(ToolgateGenerators::summary);
  }

  /** A JSON value as at most 200 characters; one nested past Jackson's writing depth is named so. */
  static String summary(JsonNode value) {
    String text;
    try {
      text = value.toString();
    } catch (RuntimeException e) {
      return "<" + value.getNodeType() + " nested deeper than Jackson writes>";
    }
    return text.length() > 200 ? text.substring(0, 200) + "...(" + text.length() + " chars)" : text;
  }

  /** {@code [[[...]]]} or {@code {"a":{"a":...}}}, {@code depth} deep, built without recursion. */
  private static JsonNode nested(int depth) {
    JsonNode node = JSON.numberNode(1);
    for (int i = 0; i < depth; i++) {
      node = i % 2 == 0 ? JSON.arrayNode().add(node) : JSON.objectNode().set("a", node);
    }
    return node;
  }

  /**
   * Arguments as an agent might send them: mostly JSON objects, sometimes another JSON value or
   * JSON {@code null}.
   */
  public static Gen<JsonNode> arguments() {
    return choose(object(MAX_DEPTH), object(MAX_DEPTH), object(MAX_DEPTH), json(2));
  }

  /** Calls of any name ({@link #toolNames()}) with any {@link #arguments()}. */
  public static Gen<ToolCall> toolCalls() {
    return toolCalls(toolNames(), arguments());
  }

  /** Calls of these names and arguments. */
  public static Gen<ToolCall> toolCalls(Gen<String> names, Gen<JsonNode> arguments) {
    return names.zip(arguments, ToolCall::of).describedAs(ToolgateGenerators::describe);
  }

  static String describe(ToolCall call) {
    return "\"" + call.tool() + "\" " + call.arguments();
  }

  /**
   * Any caller: anonymous, or with any principal id, roles, attributes and session, each of them
   * possibly missing, empty or odd Unicode.
   */
  public static Gen<CallContext> identities() {
    Gen<String> ids = choose(
        Generate.pick(List.of("agent-1", "agent-2", "ci-bot", "admin", "")),
        strings().basicLatinAlphabet().ofLengthBetween(0, 8),
        strings().allPossible().ofLengthBetween(0, 6));
    return identities(ids, ids);
  }

  /**
   * Callers whose principal ids and roles come from {@code principalsAndRoles} (for example the
   * keys of a policy's grants), with or without a session: a small pool, so that calls share
   * counters and grants apply.
   */
  public static Gen<CallContext> identities(String... principalsAndRoles) {
    List<String> pool = new ArrayList<>(Arrays.asList(principalsAndRoles));
    pool.add("agent-1");
    return identities(Generate.pick(pool), Generate.pick(pool));
  }

  private static Gen<CallContext> identities(Gen<String> ids, Gen<String> roleNames) {
    Gen<Boolean> present = Generate.booleans();
    Gen<List<String>> roles = lists().of(roleNames).ofSizeBetween(0, 3);
    Gen<String> sessions = Generate.pick(List.of("s1", "s2", ""));
    Gen<Map<String, Object>> attributes = lists().of(integers().between(0, 3)).ofSizeBetween(0, 2).map(keys -> {
      Map<String, Object> out = new LinkedHashMap<>();
      for (int key : keys) {
        out.put(List.of("team", "tier", "region", "clearance").get(key), key == 3 ? key : "v" + key);
      }
      return out;
    });
    return in -> {
      if (!present.generate(in) && !present.generate(in)) {
        return CallContext.anonymous();
      }
      String principal = present.generate(in) || present.generate(in) ? ids.generate(in) : null;
      String session = present.generate(in) ? sessions.generate(in) : null;
      return new CallContext(principal, new java.util.HashSet<>(roles.generate(in)), attributes.generate(in), session);
    };
  }
}
