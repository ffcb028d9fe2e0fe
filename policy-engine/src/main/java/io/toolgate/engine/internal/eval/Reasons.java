package io.toolgate.engine.internal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.AgentText;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Limit;
import io.toolgate.engine.internal.model.Millionths;
import java.time.Duration;

/**
 * The one place that words every reason an agent sees. Each is one line: {@code Policy denied
 * <tool>: <why>.}, so an agent (or a person reading a log) can act on it. Agent text (the tool
 * name, a value, a validator's message quoting one) is quoted only through {@link
 * AgentText#excerpt}; policy text (an entry's reason) is folded to one line. Every method takes
 * time linear in its input: no regular expressions.
 */
final class Reasons {
  /**
   * Most characters kept of a text that mixes policy and agent words (a store's error, which may
   * quote a counter key; a cost problem, which may quote the value).
   */
  private static final int CAUSE_CHARS = 200;

  private Reasons() {}

  static String denied(String tool, String why) {
    return "Policy denied " + AgentText.excerpt(tool) + ": " + sentence(why);
  }

  static String allowed(String tool, String rule) {
    return "Policy allowed " + AgentText.excerpt(tool) + " (" + rule + ").";
  }

  static String allowedByDefault(String tool) {
    return "Policy allowed " + AgentText.excerpt(tool) + " (no entry matched; default allow).";
  }

  static String failOpen(String tool, String cause) {
    return "Policy allowed " + AgentText.excerpt(tool) + " without its limits: policy state unavailable ("
        + AgentText.excerpt(cause, CAUSE_CHARS) + "); fail-open is configured.";
  }

  static String hidden(String tool) {
    return denied(tool, "hidden by policy");
  }

  static String notPermitted(String tool) {
    return denied(tool, "not permitted (no policy entry allows this tool)");
  }

  static String denyEntry(String tool, String entryReason, String pointer) {
    return denied(tool, entryReason != null ? entryReason : "denied by policy entry " + pointer);
  }

  /** {@code message}: the validator's, already cut (see {@link #schemaViolation}). */
  static String schema(String tool, String pointer, String message) {
    return denied(tool, "arguments do not match the schema at " + pointer + ": " + message);
  }

  /**
   * A schema violation as a reason quotes it: the place in the arguments and the validator's
   * message, each an {@link AgentText#excerpt} (both may quote the agent's keys and values), and
   * when the message was cut, the schema keyword it broke.
   */
  static String schemaViolation(String place, String message, String keyword) {
    String whole = String.valueOf(message);
    boolean cut = whole.length() > AgentText.MAX_CHARS;
    return AgentText.excerpt(String.valueOf(place), 60) + ": " + AgentText.excerpt(whole)
        + (cut && keyword != null ? " [" + keyword + "]" : "");
  }

  static String unreadableArguments(String tool, String message) {
    return denied(tool, "arguments could not be read: " + AgentText.excerpt(String.valueOf(message)));
  }

  static String condition(String tool, Condition condition) {
    return denied(
        tool,
        condition.reason() != null
            ? condition.reason()
            : "condition " + condition.path().text() + " " + condition.op().text() + " "
                + condition.value() + " does not hold");
  }

  /** A condition whose value could not be compared (NaN, or a type its operator cannot compare). */
  static String uncomparable(String tool, Condition condition, JsonNode actual) {
    String what = condition.reason() != null
        ? stripStop(condition.reason())
        : "condition " + condition.path().text() + " " + condition.op().text() + " " + condition.value() + " does not hold";
    return denied(tool, what + ": the value at " + condition.path().text() + " (" + value(actual)
        + ") could not be compared");
  }

  /** An argument value as a reason or trace quotes it: bounded, one line. */
  static String value(JsonNode actual) {
    if (actual == null) {
      return "missing";
    }
    if (actual.isTextual()) {
      return "\"" + AgentText.excerpt(actual.textValue()) + "\"";
    }
    if (actual.isArray()) {
      return "an array of " + actual.size();
    }
    if (actual.isObject()) {
      return "an object of " + actual.size() + " keys";
    }
    return AgentText.excerpt(actual.asText());
  }

  static String awaitingApproval(String tool, String entryReason, String approvalId) {
    return "Policy holds " + AgentText.excerpt(tool) + " for approval"
        + (entryReason != null ? ": " + stripStop(entryReason) : "")
        + (approvalId != null ? " (approval id " + approvalId + ")." : ".");
  }

  static String approvalRejected(String tool, String approvalId, String approver, String why) {
    if (approvalId == null && approver == null && why != null) {
      return denied(tool, why); // no person decided: the service says why, e.g. none is configured
    }
    StringBuilder out = new StringBuilder("approval");
    if (approvalId != null) {
      out.append(' ').append(approvalId);
    }
    out.append(" was rejected");
    if (approver != null) {
      out.append(" by ").append(approver);
    }
    if (why != null) {
      out.append(": ").append(stripStop(why));
    }
    return denied(tool, out.toString());
  }

  static String missingScope(String tool, Limit limit) {
    String what = switch (limit.scope().kind()) {
      case GRANT -> "the call has no principal";
      case SESSION -> "the call has no session id";
      default -> "the call has no value at " + limit.scope().text();
    };
    return denied(tool, "limit " + limit.counter() + " is kept per " + limit.scope().text()
        + " and " + what);
  }

  static String badCost(String tool, Limit limit, String problem) {
    // the problem may quote the agent's value
    return denied(tool, "limit " + limit.counter() + " cannot count this call: " + AgentText.excerpt(problem, CAUSE_CHARS));
  }

  static String rateLimited(String tool, Limit limit, Duration retryAfter) {
    return denied(tool, "rate limit " + limit.counter() + " (" + amount(limit.maxMillionths()) + " per "
        + window(limit.windowMillis()) + ", per " + limit.scope().text() + ") reached; retry after "
        + duration(retryAfter));
  }

  static String neverFits(String tool, Limit limit) {
    return denied(tool, "limit " + limit.counter() + " could never admit this call: the costs it asks of "
        + limit.counter() + " add up to more than its max " + amount(limit.maxMillionths()));
  }

  static String stateUnavailable(String tool, String cause) {
    return denied(tool, "policy state unavailable (" + AgentText.excerpt(cause, CAUSE_CHARS) + ")");
  }

  static String internalError(String tool, Throwable error) {
    return denied(tool, "internal policy error (" + error.getClass().getSimpleName() + ")");
  }

  /** A limit's amount (max or cost) in millionths, as the decimal it stands for: {@code 10}, {@code 0.5}. */
  static String amount(long millionths) {
    return Millionths.text(millionths);
  }

  /** {@code second}, {@code minute}, {@code hour}, {@code day}, else a duration like {@code 30s}. */
  static String window(long millis) {
    if (millis == 1_000L) {
      return "second";
    }
    if (millis == 60_000L) {
      return "minute";
    }
    if (millis == 3_600_000L) {
      return "hour";
    }
    if (millis == 86_400_000L) {
      return "day";
    }
    return duration(Duration.ofMillis(millis));
  }

  /** A compact duration: {@code 42s}, {@code 12h}, {@code 1h 30m}, {@code 2.5s}, {@code 0s}. */
  static String duration(Duration d) {
    long millis = d.toMillis();
    if (millis == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long days = millis / 86_400_000L;
    long hours = millis / 3_600_000L % 24;
    long minutes = millis / 60_000L % 60;
    long seconds = millis / 1000 % 60;
    long rest = millis % 1000;
    append(out, days, "d");
    append(out, hours, "h");
    append(out, minutes, "m");
    if (seconds > 0 || rest > 0) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(seconds);
      if (rest > 0) {
        out.append('.').append(rest / 100);
        if (rest % 100 != 0) {
          out.append(rest / 10 % 10);
          if (rest % 10 != 0) {
            out.append(rest % 10);
          }
        }
      }
      out.append('s');
    }
    return out.toString();
  }

  /**
   * Policy text may span lines (YAML block scalars); a reason never does. Each run of white space
   * that holds a line break becomes one space; other runs stay as they are. One pass, linear.
   */
  static String oneLine(String text) {
    String t = text.strip();
    StringBuilder out = null;
    int i = 0;
    int n = t.length();
    while (i < n) {
      char c = t.charAt(i);
      if (!isSpace(c)) {
        if (out != null) {
          out.append(c);
        }
        i++;
        continue;
      }
      int end = i;
      boolean breaks = false;
      while (end < n && isSpace(t.charAt(end))) {
        breaks |= isLineBreak(t.charAt(end));
        end++;
      }
      if (breaks) {
        if (out == null) {
          out = new StringBuilder(n).append(t, 0, i);
        }
        out.append(' ');
      } else if (out != null) {
        out.append(t, i, end);
      }
      i = end;
    }
    return out == null ? t : out.toString();
  }

  /** What {@code \s} and {@code \R} match: ASCII white space and the Unicode line breaks. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || isLineBreak(c);
  }

  private static boolean isLineBreak(char c) {
    return c == '\n' || c == '\r' || c == 0x0B || c == '\f' || c == 0x85 || c == '\u2028' || c == '\u2029';
  }

  private static void append(StringBuilder out, long amount, String unit) {
    if (amount > 0) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(amount).append(unit);
    }
  }

  private static String sentence(String why) {
    String trimmed = oneLine(why);
    return trimmed.endsWith(".") || trimmed.endsWith("!") || trimmed.endsWith("?")
        ? trimmed
        : trimmed + ".";
  }

  private static String stripStop(String text) {
    String trimmed = oneLine(text);
    return trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }
}
