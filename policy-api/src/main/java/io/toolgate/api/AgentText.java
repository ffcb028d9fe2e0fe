package io.toolgate.api;

/**
 * Text an agent supplied (a tool name, an argument value, a validator's message quoting one), made
 * safe to quote in a reason, a reply or a log line: at most {@link #MAX_CHARS} characters of it
 * are kept, with a note of how many were cut, and every control, format or line-separator
 * character becomes {@code ?}, so the result is always one short line. It costs time in the
 * length kept, never in the length sent.
 */
public final class AgentText {
  /** How many characters of agent text a reason, reply or log line quotes at most. */
  public static final int MAX_CHARS = 120;

  private AgentText() {}

  /**
   * {@code text} cut to {@link #MAX_CHARS} characters and stripped of control characters; {@code
   * null} stays {@code null}. A cut excerpt ends with {@code …(+N chars)}.
   */
  public static String excerpt(String text) {
    return excerpt(text, MAX_CHARS);
  }

  /** {@link #excerpt(String)} keeping at most {@code maxChars} characters (at least 1). */
  public static String excerpt(String text, int maxChars) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be at least 1, was " + maxChars);
    }
    if (text == null) {
      return null;
    }
    int length = text.length();
    int keep = Math.min(length, maxChars);
    if (keep < length && Character.isHighSurrogate(text.charAt(keep - 1))) {
      keep--; // never split a surrogate pair
    }
    if (keep == length && isClean(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(keep + 16);
    for (int i = 0; i < keep; i++) {
      char c = text.charAt(i);
      out.append(isUnsafe(c) ? '?' : c);
    }
    if (keep < length) {
      out.append("…(+").append(length - keep).append(" chars)");
    }
    return out.toString();
  }

  private static boolean isClean(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (isUnsafe(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Control characters, format characters (bidi overrides, zero-width ones) and line separators. */
  private static boolean isUnsafe(char c) {
    if (c >= 0x20 && c < 0x7f) {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
