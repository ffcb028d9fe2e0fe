package io.toolgate.engine.internal.load;

import io.toolgate.engine.PolicyProblem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the problems of one load, each at a JSON Pointer, and turns them into located {@link
 * PolicyProblem}s in document order. A problem is about a key (an unknown or malformed key: it is
 * located at the key) or about a value (located at the value).
 */
final class Problems {
  /** Beyond this many problems a document is hostile or not a policy at all; the rest is counted. */
  static final int MAX_REPORTED = 1_000;

  private final Set<Found> found = new LinkedHashSet<>();
  private final Set<String> pointers = new LinkedHashSet<>();
  private final Set<String> only = new HashSet<>();

  private record Found(String pointer, boolean atKey, String message) {}

  /** A problem with the value at {@code pointer}. */
  void at(String pointer, String message) {
    add(new Found(pointer, false, message));
  }

  /** A problem with the key whose pointer is {@code pointer}. */
  void atKey(String pointer, String message) {
    add(new Found(pointer, true, message));
  }

  /**
   * A problem that makes every other at {@code pointer} or below it moot, such as a YAML alias or
   * a number out of range: those are not reported.
   */
  void only(String pointer, boolean atKey, String message) {
    add(new Found(pointer, atKey, message));
    only.add(pointer);
  }

  private void add(Found problem) {
    if (moot(problem.pointer)) {
      return;
    }
    found.add(problem);
    pointers.add(problem.pointer);
  }

  private boolean moot(String pointer) {
    if (only.isEmpty()) {
      return false;
    }
    for (String p = pointer; ; p = SourceMap.parent(p)) {
      if (only.contains(p)) {
        return true;
      }
      if (p.isEmpty()) {
        return false;
      }
    }
  }

  /** Whether a problem was already reported at exactly {@code pointer}. */
  boolean has(String pointer) {
    return pointers.contains(pointer);
  }

  boolean isEmpty() {
    return found.isEmpty();
  }

  /** The problems, located through {@code map}, in the order a person reads the document. */
  List<PolicyProblem> located(SourceMap map, String source) {
    List<Located> all = new ArrayList<>(found.size());
    for (Found p : found) {
      all.add(new Located(p, map.locate(p.pointer, p.atKey), map.order(p.pointer)));
    }
    all.sort(Comparator.comparingInt((Located l) -> l.at.line())
        .thenComparingInt(l -> l.at.column())
        .thenComparingInt(l -> l.order));
    List<PolicyProblem> out = new ArrayList<>(Math.min(all.size(), MAX_REPORTED + 1));
    for (Located l : all) {
      if (out.size() == MAX_REPORTED) {
        out.add(new PolicyProblem(source, "", 0, 0, (all.size() - MAX_REPORTED) + " more problems not listed"));
        break;
      }
      out.add(new PolicyProblem(source, l.problem.pointer, l.at.line(), l.at.column(), l.problem.message));
    }
    return out;
  }

  private record Located(Found problem, SourceMap.Location at, int order) {}

  /** {@code ; did you mean "x"?} for the candidate closest to {@code word}, or an empty string. */
  static String didYouMean(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    int allowed = word.length() <= 3 ? 1 : word.length() <= 8 ? 2 : 3;
    for (String candidate : candidates) {
      int d = distance(word, candidate);
      if (best == null || d < bestDistance || (d == bestDistance && candidate.compareTo(best) < 0)) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= allowed ? "; did you mean \"" + best + "\"?" : "";
  }

  /** Optimal string alignment distance: edits, with a swap of neighbours counting as one. */
  static int distance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > 3 || a.length() > 64 || b.length() > 64) {
      return Integer.MAX_VALUE;
    }
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
