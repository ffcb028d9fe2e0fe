package io.toolgate.engine.internal.eval;

import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Limit;
import io.toolgate.engine.internal.model.Millionths;
import java.time.Duration;

/**
 * The one place that words every reason an agent sees. Each is one line: {@code Policy denied
 * <tool>: <why>.}, so an agent (or a person reading a log) can act on it.
 */
final class Reasons {
  private static final java.util.regex.Pattern LINE_BREAKS =
      java.util.regex.Pattern.compile("\\s*\\R\\s*");

  private Reasons() {}

  static String denied(String tool, String why) {
    return "Policy denied " + tool + ": " + sentence(why);
  }

  static String allowed(String tool, String rule) {
    return "Policy allowed " + tool + " (" + rule + ").";
  }

  static String allowedByDefault(String tool) {
    return "Policy allowed " + tool + " (no entry matched; default allow).";
  }

  static String failOpen(String tool, String cause) {
    return "Policy allowed " + tool + " without its limits: policy state unavailable ("
        + cause + "); fail-open is configured.";
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

  static String schema(String tool, String pointer, String message) {
    return denied(tool, "arguments do not match the schema at " + pointer + ": " + message);
  }

  static String unreadableArguments(String tool, String message) {
    return denied(tool, "arguments could not be read: " + message);
  }

  static String condition(String tool, Condition condition) {
    return denied(
        tool,
        condition.reason() != null
            ? condition.reason()
            : "condition " + condition.path().text() + " " + condition.op().text() + " "
                + condition.value() + " does not hold");
  }

  static String awaitingApproval(String tool, String entryReason, String approvalId) {
    return "Policy holds " + tool + " for approval"
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
    String what;
    switch (limit.scope().kind()) {
      case GRANT:
        what = "the call has no principal";
        break;
      case SESSION:
        what = "the call has no session id";
        break;
      default:
        what = "the call has no value at " + limit.scope().text();
        break;
    }
    return denied(tool, "limit " + limit.counter() + " is kept per " + limit.scope().text()
        + " and " + what);
  }

  static String badCost(String tool, Limit limit, String problem) {
    return denied(tool, "limit " + limit.counter() + " cannot count this call: " + problem);
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
    return denied(tool, "policy state unavailable (" + cause + ")");
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
        out.append('.').append(String.format("%03d", rest).replaceAll("0+$", ""));
      }
      out.append('s');
    }
    return out.toString();
  }

  /** Policy text may span lines (YAML block scalars); a reason never does. */
  private static String oneLine(String text) {
    return LINE_BREAKS.matcher(text.strip()).replaceAll(" ");
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
