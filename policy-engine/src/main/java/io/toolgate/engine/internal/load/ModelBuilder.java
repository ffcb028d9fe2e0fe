package io.toolgate.engine.internal.load;

import static io.toolgate.engine.internal.load.DocumentSchema.describe;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.fasterxml.jackson.databind.node.DecimalNode;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.engine.internal.OrgJson;
import io.toolgate.engine.internal.model.Action;
import io.toolgate.engine.internal.model.ArgumentSchema;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Glob;
import io.toolgate.engine.internal.model.Grant;
import io.toolgate.engine.internal.model.HideRule;
import io.toolgate.engine.internal.model.Limit;
import io.toolgate.engine.internal.model.Millionths;
import io.toolgate.engine.internal.model.Operator;
import io.toolgate.engine.internal.model.PolicyModel;
import io.toolgate.engine.internal.model.PolicyPath;
import io.toolgate.engine.internal.model.Scope;
import io.toolgate.engine.internal.model.ToolEntry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.everit.json.schema.Schema;
import org.everit.json.schema.SchemaException;
import org.everit.json.schema.loader.SchemaLoader;
import org.everit.json.schema.regexp.RE2JRegexpFactory;

/**
 * The semantic checks that a JSON Schema cannot express, done while building the {@link
 * PolicyModel}: windows, scopes, paths, operators against their values, RE2 regexes, globs,
 * argument schemas, which keys an action takes, and counters shared by several limits. Nodes of
 * the wrong type are skipped silently: the document schema has reported them already.
 */
final class ModelBuilder {
  private final Problems problems;
  private final List<Limit> allLimits = new ArrayList<>();

  private ModelBuilder(Problems problems) {
    this.problems = problems;
  }

  /** The model of {@code document}, with every semantic problem reported; null if not an object. */
  static PolicyModel build(JsonNode document, Problems problems) {
    if (!document.isObject()) {
      if (!problems.has("")) {
        problems.at("", "expected a policy (a mapping with version and tools), got " + describe(document));
      }
      return null;
    }
    return new ModelBuilder(problems).policy(document);
  }

  private PolicyModel policy(JsonNode doc) {
    boolean defaultAllow = "allow".equals(doc.path("default").asText(null));
    String description = text(doc.get("description"));
    List<HideRule> hide = new ArrayList<>();
    JsonNode hideNode = doc.get("hide");
    if (hideNode != null && hideNode.isArray()) {
      for (int i = 0; i < hideNode.size(); i++) {
        JsonNode name = hideNode.get(i);
        String pointer = "/hide/" + i;
        if (name.isTextual() && glob(name.textValue(), pointer, false)) {
          hide.add(new HideRule(name.textValue(), pointer));
        }
      }
    }
    List<ToolEntry> tools = tools(doc.get("tools"), "/tools");
    List<Grant> grants = new ArrayList<>();
    JsonNode grantsNode = doc.get("grants");
    if (grantsNode != null && grantsNode.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = grantsNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> grant = it.next();
        String pointer = "/grants/" + SourceMap.escape(grant.getKey());
        JsonNode body = grant.getValue();
        if (body.isObject()) {
          grants.add(new Grant(grant.getKey(), pointer, tools(body.get("tools"), pointer + "/tools")));
        }
      }
    }
    checkSharedCounters();
    return new PolicyModel(defaultAllow, description, hide, tools, grants);
  }

  private List<ToolEntry> tools(JsonNode node, String pointer) {
    List<ToolEntry> out = new ArrayList<>();
    if (node == null || !node.isObject()) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String entryPointer = pointer + "/" + SourceMap.escape(field.getKey());
      boolean keyOk = glob(field.getKey(), entryPointer, true);
      ToolEntry entry = entry(field.getKey(), entryPointer, field.getValue());
      if (keyOk && entry != null) {
        out.add(entry);
      }
    }
    return out;
  }

  private boolean glob(String pattern, String pointer, boolean atKey) {
    String problem = Glob.problem(pattern);
    if (problem == null) {
      return true;
    }
    String message = "\"" + pattern + "\" is not a tool name or glob: " + problem
        + "; expected an exact name or a glob with * ? [abc] [a-z]";
    if (atKey) {
      problems.atKey(pointer, message);
    } else {
      problems.at(pointer, message);
    }
    return false;
  }

  private ToolEntry entry(String key, String pointer, JsonNode node) {
    if (node.isNull()) {
      return new ToolEntry(key, pointer, Action.ALLOW, null, null, List.of(), List.of(), List.of());
    }
    if (!node.isObject()) {
      return null;
    }
    Action action = node.has("action") ? Action.parse(node.get("action").asText()) : Action.ALLOW;
    if (action == null) {
      return null; // reported by the schema
    }
    if (action == Action.DENY) {
      for (String key2 : List.of("arguments", "conditions", "limits", "rate_limit")) {
        if (node.has(key2)) {
          problems.atKey(pointer + "/" + key2, "a deny entry takes no " + key2
              + "; it refuses the call (use when to say when it applies)");
        }
      }
    } else if (action == Action.ALLOW && node.has("when")) {
      problems.atKey(pointer + "/when", "only deny and require_approval entries take when;"
          + " an allow entry's conditions say what its calls must satisfy");
    }
    ArgumentSchema arguments = arguments(node.get("arguments"), pointer + "/arguments");
    List<Condition> conditions = conditions(node.get("conditions"), pointer + "/conditions");
    List<Condition> when = conditions(node.get("when"), pointer + "/when");
    List<Limit> limits = new ArrayList<>();
    JsonNode limitsNode = node.get("limits");
    if (limitsNode != null && limitsNode.isArray()) {
      for (int i = 0; i < limitsNode.size(); i++) {
        Limit limit = limit(limitsNode.get(i), pointer + "/limits/" + i);
        if (limit != null) {
          limits.add(limit);
        }
      }
    }
    JsonNode shorthand = node.get("rate_limit");
    if (shorthand != null) {
      Limit limit = shorthand.isTextual()
          ? shorthand(shorthand.textValue(), pointer + "/rate_limit")
          : limit(shorthand, pointer + "/rate_limit");
      if (limit != null) {
        limits.add(limit);
      }
    }
    allLimits.addAll(limits);
    return new ToolEntry(key, pointer, action, text(node.get("reason")), arguments, conditions, when, limits);
  }

  private ArgumentSchema arguments(JsonNode node, String pointer) {
    if (node == null || !(node.isObject() || node.isBoolean())) {
      return null;
    }
    if (!ArgumentSchemaChecks.patternsFit(node, pointer, problems)) {
      return null; // not loaded: loading compiles the patterns
    }
    try {
      Schema schema = SchemaLoader.builder()
          .schemaJson(OrgJson.convert(node))
          .draftV7Support()
          .regexpFactory(new RE2JRegexpFactory())
          .schemaClient(uri -> {
            throw new IllegalArgumentException("remote $ref " + uri + " is not allowed; inline the schema");
          })
          .build()
          .load()
          .build();
      if (ArgumentSchemaChecks.loops(schema)) {
        problems.at(pointer, "the schema refers to itself through $ref without descending into the arguments"
            + " (through allOf, anyOf, oneOf, not, if/then/else or $ref alone), so checking a call would never end;"
            + " recursion must pass through properties, items or another keyword that reads a part of the value");
        return null;
      }
      return new ArgumentSchema(pointer, schema, node);
    } catch (SchemaException e) {
      String at = e.getSchemaLocation();
      String inner = at != null && at.startsWith("#") && at.length() > 1 ? at.substring(1) : "";
      problems.at(pointer + inner, "not a valid JSON Schema (draft-07): " + e.getMessage());
    } catch (RuntimeException e) {
      problems.at(pointer, "not a valid JSON Schema (draft-07): " + e.getMessage());
    }
    return null;
  }

  private List<Condition> conditions(JsonNode node, String pointer) {
    List<Condition> out = new ArrayList<>();
    if (node == null || !node.isArray()) {
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      Condition c = condition(node.get(i), pointer + "/" + i);
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }

  private Condition condition(JsonNode node, String pointer) {
    if (!node.isObject()) {
      return null;
    }
    JsonNode pathNode = node.get("path");
    PolicyPath path = null;
    if (pathNode != null && pathNode.isTextual()) {
      path = PolicyPath.parse(pathNode.textValue());
      if (path == null) {
        problems.at(pointer + "/path", describe(pathNode) + " is not a path; expected " + PolicyPath.EXPECTED);
      }
    }
    Operator op = node.has("op") ? Operator.parse(node.get("op").asText()) : null;
    JsonNode value = node.get("value");
    if (op == null || value == null) {
      return null; // reported by the schema
    }
    String valuePointer = pointer + "/value";
    Pattern regex = null;
    String shape = shapeProblem(op, value);
    if (shape != null) {
      problems.at(valuePointer, "expected " + shape + " for op " + op.text() + ", got " + describe(value));
      return null;
    }
    if (op == Operator.REGEX || op == Operator.NOT_REGEX) {
      String tooLarge = RegexSize.problem(value.textValue());
      if (tooLarge != null) {
        problems.at(valuePointer, describe(value) + " " + tooLarge);
        return null;
      }
      try {
        regex = Pattern.compile(value.textValue());
      } catch (PatternSyntaxException e) {
        problems.at(valuePointer, describe(value) + " is not an RE2 regular expression: " + e.getDescription()
            + " (RE2 has no backreferences or lookaround)");
        return null;
      }
    }
    return path == null ? null : new Condition(pointer, path, op, value, regex, text(node.get("reason")));
  }

  /** What {@code op} needs its value to be, or {@code null} when {@code value} fits. */
  private static String shapeProblem(Operator op, JsonNode value) {
    switch (op) {
      case IN:
      case NOT_IN:
        return value.isArray() ? null : "a list";
      case LT:
      case LTE:
      case GT:
      case GTE:
        return value.isNumber() || value.isTextual() ? null : "a number or a string";
      case REGEX:
      case NOT_REGEX:
        return value.isTextual() ? null : "an RE2 pattern (a string)";
      case STARTS_WITH:
      case ENDS_WITH:
        return value.isTextual() ? null : "a string";
      case EXISTS:
        return value.isBoolean() ? null : "true or false";
      default:
        return null;
    }
  }

  private Limit limit(JsonNode node, String pointer) {
    if (!node.isObject()) {
      return null;
    }
    boolean ok = true;
    JsonNode maxNode = node.get("max");
    Long max = null;
    if (maxNode != null && maxNode.isNumber()) {
      String problem = Millionths.problem(maxNode);
      if (problem == null) {
        max = Millionths.exact(maxNode);
      } else {
        reportOnce(pointer + "/max", problem + ", got " + describe(maxNode));
        ok = false;
      }
    } else {
      ok = false;
    }
    Long window = null;
    JsonNode windowNode = node.get("window");
    if (windowNode != null && (windowNode.isTextual() || windowNode.isNumber())) {
      window = Durations.parseMillis(windowNode);
      if (window == null) {
        reportOnce(pointer + "/window", describe(windowNode) + " is not a window; expected " + Durations.EXPECTED);
      }
    }
    ok &= window != null;
    Scope scope = Scope.GRANT;
    JsonNode scopeNode = node.get("scope");
    if (scopeNode != null && scopeNode.isTextual()) {
      scope = scope(scopeNode.textValue());
      if (scope == null) {
        problems.at(pointer + "/scope", describe(scopeNode) + " is not a scope; expected global, grant, session or args.<path>"
            + Problems.didYouMean(scopeNode.textValue(), List.of("global", "grant", "session")));
        ok = false;
      }
    }
    Algorithm algorithm = "sliding".equals(node.path("algorithm").asText()) ? Algorithm.SLIDING : Algorithm.FIXED;
    long cost = CounterRequest.MILLIONTHS_PER_UNIT;
    JsonNode costNode = node.get("cost");
    if (costNode != null && costNode.isNumber()) {
      String problem = Millionths.problem(costNode);
      if (problem != null) {
        reportOnce(pointer + "/cost", problem + ", got " + describe(costNode));
        ok = false;
      } else {
        cost = Millionths.exact(costNode);
      }
      if (problem == null && max != null && cost > max) {
        ok &= report(pointer + "/cost", "cost " + costNode.asText() + " is greater than max " + maxNode.asText()
            + ": this limit could never admit a call");
      }
    }
    PolicyPath costFrom = null;
    JsonNode costFromNode = node.get("cost_from");
    if (costFromNode != null && costFromNode.isTextual()) {
      costFrom = PolicyPath.parse(costFromNode.textValue());
      if (costFrom == null || costFrom.root() != PolicyPath.Root.ARGS) {
        ok &= report(pointer + "/cost_from", describe(costFromNode) + " is not an argument path; expected args.<name>, e.g. args.amount");
      }
      if (costNode != null) {
        ok &= report(pointer + "/cost_from", "cost and cost_from exclude each other; keep one");
      }
    }
    if (!ok) {
      return null;
    }
    String counter = node.has("counter") && node.get("counter").isTextual() ? node.get("counter").textValue() : pointer;
    boolean refund = node.path("refund_on_error").asBoolean(false);
    return new Limit(pointer, counter, max, window, scope, algorithm, cost, costFrom, refund);
  }

  private void reportOnce(String pointer, String message) {
    if (!problems.has(pointer)) {
      problems.at(pointer, message);
    }
  }

  private boolean report(String pointer, String message) {
    problems.at(pointer, message);
    return false;
  }

  /** {@code 10/minute}, {@code 10/60}, {@code 2.5/30s}: max per window, scope grant. */
  private Limit shorthand(String text, String pointer) {
    int slash = text.indexOf('/');
    Long window = slash < 0 ? null : Durations.parseMillis(text.substring(slash + 1).strip());
    JsonNode max = slash < 0 ? null : number(text.substring(0, slash).strip());
    if (window == null || max == null) {
      problems.at(pointer, "\"" + text + "\" is not a rate limit; expected max/window such as 10/minute, 100/hour or 5/30s");
      return null;
    }
    String problem = Millionths.problem(max);
    if (problem != null) {
      problems.at(pointer, "\"" + text + "\" has a max that is not an amount: " + problem);
      return null;
    }
    return new Limit(pointer, pointer, Millionths.exact(max), window, Scope.GRANT, Algorithm.FIXED,
        CounterRequest.MILLIONTHS_PER_UNIT, null, false);
  }

  private static JsonNode number(String text) {
    if (text.isEmpty() || text.length() > 40 || !text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
      return null;
    }
    try {
      return DecimalNode.valueOf(new BigDecimal(text));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Scope scope(String text) {
    switch (text) {
      case "global":
        return Scope.GLOBAL;
      case "grant":
        return Scope.GRANT;
      case "session":
        return Scope.SESSION;
      default:
        PolicyPath path = PolicyPath.parse(text);
        return path != null && path.root() == PolicyPath.Root.ARGS ? new Scope(Scope.Kind.ARGS, path) : null;
    }
  }

  /** Limits that name one counter share it, so they must agree on max, window and algorithm. */
  private void checkSharedCounters() {
    allLimits.sort(Comparator.comparing((Limit l) -> l.pointer().startsWith("/grants/")).thenComparing(Limit::pointer));
    Map<String, Limit> first = new LinkedHashMap<>();
    for (Limit limit : allLimits) {
      Limit defined = first.putIfAbsent(limit.counter(), limit);
      if (defined != null
          && (defined.maxMillionths() != limit.maxMillionths()
              || defined.windowMillis() != limit.windowMillis()
              || defined.algorithm() != limit.algorithm())) {
        problems.at(limit.pointer(), "counter \"" + limit.counter() + "\" is also used at " + defined.pointer()
            + " with " + terms(defined) + ", here with " + terms(limit)
            + "; limits that share a counter must agree on max, window and algorithm");
      }
    }
  }

  private static String terms(Limit limit) {
    return "max " + Millionths.text(limit.maxMillionths()) + ", window " + limit.windowMillis() / 1000 + "s, "
        + limit.algorithm().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.textValue() : null;
  }
}
