package io.toolgate.testkit.properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.engine.PolicyView.Limit;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The independent admission checker behind {@link PolicyProperties#countersNeverOverAdmit()}: it
 * recomputes from the calls alone which counter each admission charged, and finds a window that
 * admitted more than its max.
 */
final class Admissions {
  private Admissions() {}

  /** One admission of a call by a limit: the counter key, when, at what cost. */
  record Admission(Limit limit, String key, long at, double cost) {}

  /** The first counter that admitted more than its max in one window, described; {@code null} if none did. */
  static String overAdmission(List<Admission> admissions) {
    Map<String, List<Admission>> byKey = new TreeMap<>();
    for (Admission a : admissions) {
      byKey.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a);
    }
    for (List<Admission> list : byKey.values()) {
      Limit limit = list.get(0).limit();
      long window = limit.window().toMillis();
      double max = units(limit.maxMillionths());
      if (limit.algorithm() == CounterRequest.Algorithm.FIXED) {
        Map<Long, Double> perWindow = new HashMap<>();
        for (Admission a : list) {
          double total = perWindow.merge(Math.floorDiv(a.at(), window), a.cost(), Double::sum);
          if (total > max + 1e-9) {
            return String.format("counter %s admitted %s in the fixed window starting %s; its max is %s",
                a.key(), total, Instant.ofEpochMilli(Math.floorDiv(a.at(), window) * window), max);
          }
        }
      } else {
        for (Admission start : list) {
          double total = 0;
          for (Admission a : list) {
            if (a.at() >= start.at() && a.at() < start.at() + window) {
              total += a.cost();
            }
          }
          if (total > max + 1e-9) {
            return String.format("counter %s admitted %s in the sliding window [%s, +%ds); its max is %s",
                start.key(), total, Instant.ofEpochMilli(start.at()), window / 1000, max);
          }
        }
      }
    }
    return null;
  }

  /** The counter key, as the engine forms it: name, then the scope's value. */
  static String key(Limit limit, PolicyProperties.Call call) {
    CallContext c = call.context();
    String scope = switch (limit.scope()) {
      case "global" -> "global";
      case "grant" -> "grant:" + c.principal();
      case "session" -> "session:" + c.sessionId();
      default -> limit.scope() + ":" + scopeText(resolve(call.call().arguments(), limit.scope()));
    };
    return limit.counter() + " [" + scope + "]";
  }

  /** What a call costs under {@code limit}: its fixed cost, or the value of its {@code cost_from}. */
  static double cost(Limit limit, PolicyProperties.Call call) {
    if (limit.costFrom() == null) {
      return units(limit.costMillionths());
    }
    JsonNode value = resolve(call.call().arguments(), limit.costFrom());
    return value == null ? 0 : value.doubleValue();
  }

  /** Millionths as the nearest double. */
  private static double units(long millionths) {
    return millionths / (double) CounterRequest.MILLIONTHS_PER_UNIT;
  }

  /** The value an {@code args.<a>.<b>} path names in {@code arguments}, or {@code null}. */
  private static JsonNode resolve(JsonNode arguments, String path) {
    JsonNode node = arguments;
    for (String segment : path.substring("args.".length()).split("\\.", -1)) {
      if (node == null) {
        return null;
      }
      if (node.isArray()) {
        try {
          node = node.get(Integer.parseInt(segment));
        } catch (NumberFormatException e) {
          return null;
        }
      } else {
        node = node.get(segment);
      }
    }
    return node == null || node.isNull() ? null : node;
  }

  private static String scopeText(JsonNode value) {
    if (value == null) {
      return "(missing)";
    }
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isNumber()) {
      BigDecimal d = value.decimalValue().stripTrailingZeros();
      return d.scale() < 0 ? d.toBigInteger().toString() : d.toPlainString();
    }
    return value.toString();
  }
}
