package io.toolgate.engine.internal.load;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The window and duration syntax of policies and scenarios: {@code second}, {@code minute},
 * {@code hour}, {@code day}, a whole number of seconds ({@code 60} or {@code "60"}), or a number
 * with a unit ({@code 30s 5m 2h 1d}).
 */
public final class Durations {
  /** What a window may be, for error messages. */
  public static final String EXPECTED =
      "second, minute, hour, day, a number of seconds or a duration like 30s";

  private static final long SECOND = 1_000L;
  private static final long MAX_SECONDS = 100L * 365 * 86_400; // a century: beyond it is a typo

  private Durations() {}

  /** The length in milliseconds of a positive duration, or {@code null} when {@code node} is none. */
  public static Long parseMillis(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? seconds(node.longValue(), 1) : null;
    }
    return node.isTextual() ? parseMillis(node.textValue()) : null;
  }

  /** As {@link #parseMillis(JsonNode)}, for text. */
  public static Long parseMillis(String text) {
    switch (text) {
      case "second":
        return SECOND;
      case "minute":
        return 60 * SECOND;
      case "hour":
        return 3_600 * SECOND;
      case "day":
        return 86_400 * SECOND;
      default:
        break;
    }
    if (text.isEmpty() || text.length() > 12) {
      return null;
    }
    char last = text.charAt(text.length() - 1);
    long unit;
    String digits = text.substring(0, text.length() - 1);
    switch (last) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3_600;
        break;
      case 'd':
        unit = 86_400;
        break;
      default:
        unit = 1;
        digits = text;
        break;
    }
    if (digits.isEmpty()) {
      return null;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return null;
      }
    }
    return seconds(Long.parseLong(digits), unit);
  }

  private static Long seconds(long amount, long unit) {
    if (amount < 1 || amount > MAX_SECONDS / unit) {
      return null;
    }
    return amount * unit * SECOND;
  }
}
