package io.toolgate.engine.internal.load;

import static io.toolgate.engine.internal.load.DocumentSchema.describe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.engine.internal.model.Limit;
import io.toolgate.engine.internal.model.Millionths;
import io.toolgate.engine.internal.model.PolicyPath;
import io.toolgate.engine.internal.model.Scope;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the limits of the entries for {@link ModelBuilder}: exact amounts for {@code max} and
 * {@code cost}, windows, scopes, {@code cost_from}, the {@code rate_limit} shorthand, and, once
 * every entry is read, the counters that several limits share.
 */
final class LimitReader {
  private final Problems problems;
  /** Every limit read, for {@link #checkSharedCounters}. */
  private final List<Limit> allLimits = new ArrayList<>();

  LimitReader(Problems problems) {
    this.problems = problems;
  }

  /** The limits of an entry: its {@code limits} list and its {@code rate_limit} shorthand. */
  List<Limit> ofEntry(JsonNode entry, String pointer) {
    List<Limit> limits = new ArrayList<>();
    JsonNode limitsNode = entry.get("limits");
    if (limitsNode != null && limitsNode.isArray()) {
      for (int i = 0; i < limitsNode.size(); i++) {
        Limit limit = limit(limitsNode.get(i), pointer + "/limits/" + i);
        if (limit != null) {
          limits.add(limit);
        }
      }
    }
    JsonNode shorthand = entry.get("rate_limit");
    if (shorthand != null) {
      Limit limit = shorthand.isTextual()
          ? shorthand(shorthand.textValue(), pointer + "/rate_limit")
          : limit(shorthand, pointer + "/rate_limit");
      if (limit != null) {
        limits.add(limit);
      }
    }
    allLimits.addAll(limits);
    return limits;
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
    return switch (text) {
      case "global" -> Scope.GLOBAL;
      case "grant" -> Scope.GRANT;
      case "session" -> Scope.SESSION;
      default -> {
        PolicyPath path = PolicyPath.parse(text);
        yield path != null && path.root() == PolicyPath.Root.ARGS ? new Scope(Scope.Kind.ARGS, path) : null;
      }
    };
  }

  /**
   * Once every entry is read: limits that name one counter share it, so they must agree on max,
   * window and algorithm.
   */
  void checkSharedCounters() {
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
        + limit.algorithm().name().toLowerCase(Locale.ROOT);
  }
}
