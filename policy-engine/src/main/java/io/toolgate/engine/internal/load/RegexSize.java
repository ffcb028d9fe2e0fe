package io.toolgate.engine.internal.load;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Estimates, before compiling, how large a regular expression's RE2 program would be. RE2/J runs
 * in time linear in the input, but the factor is the program's size, and a counted repetition is
 * compiled as that many copies of what it repeats: {@code ((a{1000}){1000}){1000}} would be a
 * billion instructions (out of memory while loading), {@code (a{1000}){100}} a hundred thousand
 * (seconds per call). RE2/J has no public size check, so this one-pass scan computes an
 * over-estimate: each literal, class, escape or anchor counts one, an alternation or an
 * unbounded repetition one more, and {@code x{n,m}} counts {@code m} copies of {@code x} plus one
 * per optional copy, so nested counts multiply.
 */
public final class RegexSize {
  /** The largest estimated program accepted, in instructions. */
  public static final int MAX = 2_000;

  /** Sizes saturate here, far above {@link #MAX} and far below overflow. */
  private static final long CAP = 1L << 40;

  private RegexSize() {}

  /**
   * Why {@code pattern} is too large to run, or {@code null} when its estimated program is within
   * {@link #MAX}. A pattern that is not well-formed is estimated as far as it can be; RE2/J reports
   * its syntax.
   */
  static String problem(String pattern) {
    long size = estimate(pattern);
    if (size <= MAX) {
      return null;
    }
    return "is too large to run: its compiled program would have "
        + (size >= CAP ? "far more than " + MAX : "about " + size)
        + " instructions, and at most " + MAX + " are allowed (counted repetitions multiply, so (a{100}){100} is"
        + " already over); use smaller repeat counts";
  }

  /**
   * The estimated number of instructions of {@code re}'s program (an over-estimate, saturating far
   * above {@link #MAX}); linear in the pattern's length.
   */
  public static long estimate(String re) {
    Deque<long[]> outer = new ArrayDeque<>();
    // The alternatives before the current one, the current concatenation, and its last item.
    long alternatives = 0;
    long sum = 0;
    long last = 0;
    int n = re.length();
    int i = 0;
    while (i < n) {
      char c = re.charAt(i);
      long atom = 1;
      switch (c) {
        case '(' -> {
          outer.push(new long[] {alternatives, sum, last});
          alternatives = 0;
          sum = 0;
          last = 0;
          i = afterGroupOpening(re, i + 1);
          if (i < 0) { // flags only, such as (?i): no group was opened
            i = -i;
            long[] saved = outer.pop();
            alternatives = saved[0];
            sum = saved[1];
            last = saved[2];
          }
          continue;
        }
        case ')' -> {
          long group = add(add(alternatives, sum), 1);
          if (!outer.isEmpty()) {
            long[] saved = outer.pop();
            alternatives = saved[0];
            sum = saved[1];
          }
          last = group;
          sum = add(sum, group);
          i++;
          continue;
        }
        case '|' -> {
          alternatives = add(alternatives, add(sum, 1));
          sum = 0;
          last = 0;
          i++;
          continue;
        }
        case '*', '+', '?' -> {
          long repeated = add(last, 1);
          sum = add(sum - last, repeated);
          last = repeated;
          i = skipLazy(re, i + 1);
          continue;
        }
        case '{' -> {
          int[] counts = new int[2];
          int end = repeatCounts(re, i, counts);
          if (end > 0) {
            long copies = Math.max(Math.max(counts[0], counts[1]), 1);
            long optional = counts[1] > counts[0] ? counts[1] - counts[0] : 1;
            long repeated = add(multiply(last, copies), optional);
            sum = add(sum - last, repeated);
            last = repeated;
            i = skipLazy(re, end);
            continue;
          }
          i++;
        }
        case '[' -> i = afterClass(re, i);
        case '\\' -> {
          if (i + 1 < n && re.charAt(i + 1) == 'Q') {
            // \Q...\E: every character in between is a literal
            int close = re.indexOf("\\E", i + 2);
            int stop = close < 0 ? n : close;
            atom = Math.max(stop - (i + 2), 0);
            i = close < 0 ? n : close + 2;
          } else {
            i = afterEscape(re, i);
          }
        }
        default -> i++;
      }
      last = atom;
      sum = add(sum, atom);
    }
    while (!outer.isEmpty()) { // unbalanced: RE2/J refuses it; count what was seen
      long group = add(alternatives, sum);
      long[] saved = outer.pop();
      alternatives = saved[0];
      sum = add(saved[1], group);
    }
    return add(alternatives, sum);
  }

  /**
   * Where a group's body starts after its {@code (}: past {@code ?:}, {@code ?i:}, {@code
   * ?P<name>} or {@code ?<name>}; the negated index past {@code ?flags)}, which opens no group.
   */
  private static int afterGroupOpening(String re, int i) {
    if (i >= re.length() || re.charAt(i) != '?') {
      return i;
    }
    int j = i + 1;
    if (j < re.length() && (re.charAt(j) == '<' || (re.charAt(j) == 'P' && j + 1 < re.length() && re.charAt(j + 1) == '<'))) {
      int close = re.indexOf('>', j);
      return close < 0 ? re.length() : close + 1;
    }
    while (j < re.length() && (Character.isLetter(re.charAt(j)) || re.charAt(j) == '-')) {
      j++;
    }
    if (j < re.length() && re.charAt(j) == ')') {
      return -(j + 1);
    }
    return j < re.length() && re.charAt(j) == ':' ? j + 1 : j;
  }

  /** Past a non-greedy {@code ?} that follows a repetition, if there is one. */
  private static int skipLazy(String re, int i) {
    return i < re.length() && re.charAt(i) == '?' ? i + 1 : i;
  }

  /**
   * Reads {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code i} into {@code counts} (min, max;
   * max -1 when unbounded) and returns the index after it; -1 when it is no repetition (RE2 reads
   * such a brace as a literal).
   */
  private static int repeatCounts(String re, int i, int[] counts) {
    int j = i + 1;
    int start = j;
    while (j < re.length() && Character.isDigit(re.charAt(j))) {
      j++;
    }
    if (j == start || j - start > 6) {
      return -1;
    }
    counts[0] = Integer.parseInt(re, start, j, 10);
    counts[1] = counts[0];
    if (j < re.length() && re.charAt(j) == ',') {
      j++;
      int maxStart = j;
      while (j < re.length() && Character.isDigit(re.charAt(j))) {
        j++;
      }
      if (j - maxStart > 6) {
        return -1;
      }
      counts[1] = j == maxStart ? -1 : Integer.parseInt(re, maxStart, j, 10);
    }
    return j < re.length() && re.charAt(j) == '}' ? j + 1 : -1;
  }

  /** The index after a character class that starts at {@code i}, {@code [:alpha:]} included. */
  private static int afterClass(String re, int i) {
    int j = i + 1;
    if (j < re.length() && re.charAt(j) == '^') {
      j++;
    }
    if (j < re.length() && re.charAt(j) == ']') {
      j++;
    }
    while (j < re.length()) {
      char c = re.charAt(j);
      if (c == '\\') {
        j = afterEscape(re, j);
      } else if (c == '[' && j + 1 < re.length() && re.charAt(j + 1) == ':') {
        int close = re.indexOf(":]", j + 2);
        j = close < 0 ? j + 1 : close + 2;
      } else if (c == ']') {
        return j + 1;
      } else {
        j++;
      }
    }
    return j;
  }

  /** The index after an escape that starts at {@code i}: {@code \d}, {@code \pL}, {@code \p{Greek}}, {@code \x{41}}. */
  private static int afterEscape(String re, int i) {
    if (i + 1 >= re.length()) {
      return re.length();
    }
    char c = re.charAt(i + 1);
    if ((c == 'p' || c == 'P' || c == 'x') && i + 2 < re.length() && re.charAt(i + 2) == '{') {
      int close = re.indexOf('}', i + 3);
      return close < 0 ? re.length() : close + 1;
    }
    if (c == 'p' || c == 'P') {
      return Math.min(i + 3, re.length());
    }
    return i + 2;
  }

  private static long add(long a, long b) {
    return Math.min(CAP, a + b);
  }

  private static long multiply(long a, long b) {
    return a == 0 || b == 0 ? 0 : a > CAP / b ? CAP : Math.min(CAP, a * b);
  }
}
