package io.toolgate.approvals.internal;

/**
 * HTML escaping: everything an agent sent goes through {@link #text}, which also makes invisible
 * text visible ({@link #visible}), so a person reads what will run.
 */
public final class Html {
  private Html() {}

  /**
   * {@code s} safe in element content and in quoted attribute values, with every invisible or
   * bidi character shown as its <code>&#92;uXXXX</code> escape ({@link #visible}) and other
   * controls but newline and tab as U+FFFD; {@code null} is empty.
   */
  public static String text(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        case '`' -> out.append("&#96;");
        default -> {
          if (isInvisible(s, i)) {
            escape(out, c);
          } else {
            out.append(Character.isISOControl(c) && c != '\n' && c != '\t' ? '\uFFFD' : c);
          }
        }
      }
    }
    return out.toString();
  }

  /**
   * {@code s} with every invisible or bidi character written as its <code>&#92;uXXXX</code> escape
   * (a supplementary one as its two surrogates' escapes): format characters (Unicode category Cf:
   * bidi overrides and isolates such as U+202E, zero-width ones, U+FEFF), line and paragraph
   * separators, and lone surrogates. {@code null} stays {@code null}.
   */
  public static String visible(String s) {
    if (s == null || !hasInvisible(s)) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (isInvisible(s, i)) {
        escape(out, c);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Whether {@code s} holds a character {@link #visible} would escape. */
  public static boolean hasInvisible(String s) {
    if (s == null) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (isInvisible(s, i)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the char at {@code i} is, or is half of, an invisible or bidi character. */
  private static boolean isInvisible(String s, int i) {
    char c = s.charAt(i);
    if (c < 0xAD) {
      return false; // ASCII and Latin-1 up to the soft hyphen: nothing invisible but controls
    }
    if (Character.isSurrogate(c)) {
      int cp;
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        cp = Character.toCodePoint(c, s.charAt(i + 1));
      } else if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1))) {
        cp = Character.toCodePoint(s.charAt(i - 1), c);
      } else {
        return true; // a lone surrogate
      }
      return Character.getType(cp) == Character.FORMAT;
    }
    int type = Character.getType(c);
    return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static void escape(StringBuilder out, char c) {
    out.append("\\u").append(String.format("%04X", (int) c));
  }
}
