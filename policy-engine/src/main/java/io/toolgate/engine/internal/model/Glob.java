package io.toolgate.engine.internal.model;

/**
 * Tool-name globs: {@code *} matches any run of characters, {@code ?} any one character, {@code
 * [abc]} one of the listed characters and {@code [a-z]} one in the range; every other character
 * matches itself. Names are compared exactly, with no normalisation. Matching is linear in the
 * name for each star-free segment and never backtracks exponentially.
 */
public final class Glob {
  private final String pattern;

  private Glob(String pattern) {
    this.pattern = pattern;
  }

  /** Whether {@code key} uses any glob syntax; a key without it matches only itself. */
  public static boolean isGlob(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '*' || c == '?' || c == '[') {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks {@code pattern}, returning a message when it is malformed (an unclosed {@code [} or an
   * empty class), else {@code null}.
   */
  public static String problem(String pattern) {
    for (int i = 0; i < pattern.length(); i++) {
      if (pattern.charAt(i) == '[') {
        int close = pattern.indexOf(']', i + 1);
        if (close < 0) {
          return "unclosed [ at offset " + i;
        }
        if (close == i + 1) {
          return "empty character class [] at offset " + i;
        }
        i = close;
      }
    }
    return null;
  }

  /** Compiles a pattern that {@link #problem} accepted. */
  public static Glob compile(String pattern) {
    String problem = problem(pattern);
    if (problem != null) {
      throw new IllegalArgumentException("bad glob \"" + pattern + "\": " + problem);
    }
    return new Glob(pattern);
  }

  public String pattern() {
    return pattern;
  }

  /** Whether {@code name} matches, by the iterative star-backtracking algorithm (O(n*m) worst). */
  public boolean matches(String name) {
    int p = 0;
    int n = 0;
    int starP = -1;
    int starN = -1;
    while (n < name.length()) {
      if (p < pattern.length()) {
        char c = pattern.charAt(p);
        if (c == '*') {
          starP = p++;
          starN = n;
          continue;
        }
        int next = matchOne(p, name.charAt(n));
        if (next >= 0) {
          p = next;
          n++;
          continue;
        }
      }
      if (starP < 0) {
        return false;
      }
      p = starP + 1;
      n = ++starN;
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  /** Matches one character at pattern position {@code p}; returns the next position or -1. */
  private int matchOne(int p, char ch) {
    char c = pattern.charAt(p);
    if (c == '?') {
      return p + 1;
    }
    if (c != '[') {
      return c == ch ? p + 1 : -1;
    }
    int close = pattern.indexOf(']', p + 1);
    boolean hit = false;
    for (int i = p + 1; i < close; i++) {
      char lo = pattern.charAt(i);
      if (i + 2 < close && pattern.charAt(i + 1) == '-') {
        char hi = pattern.charAt(i + 2);
        hit |= lo <= ch && ch <= hi;
        i += 2;
      } else {
        hit |= lo == ch;
      }
    }
    return hit ? close + 1 : -1;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
