package io.toolgate.testkit.properties;

import java.util.ArrayList;
import java.util.List;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Generates strings that match a simple regular expression: literals and escapes, {@code .},
 * {@code \d \w \s}, character classes ({@code [a-z_]}, {@code [^0-9]}), groups and alternation,
 * and the quantifiers {@code * + ? {n} {n,} {n,m}}. Anchors are accepted and ignored (a whole
 * generated string matches, anchored or not). Anything else (look-around, back-references) is
 * refused when the pattern is parsed.
 */
final class SimplePattern {
  private static final String PRINTABLE = printable();
  private static final int UNBOUNDED_EXTRA = 3;

  private final String pattern;
  private int pos;

  private SimplePattern(String pattern) {
    this.pattern = pattern;
  }

  /**
   * A generator of strings matching {@code pattern}.
   *
   * @throws IllegalArgumentException if the pattern uses more than the simple constructs
   */
  static Gen<String> generator(String pattern) {
    SimplePattern parser = new SimplePattern(pattern);
    Node node = parser.alternation();
    if (parser.pos != pattern.length()) {
      throw parser.unsupported("unbalanced )");
    }
    return in -> {
      StringBuilder out = new StringBuilder();
      node.emit(in, out);
      return out.toString();
    };
  }

  private interface Node {
    void emit(org.quicktheories.core.RandomnessSource in, StringBuilder out);
  }

  private Node alternation() {
    List<Node> options = new ArrayList<>();
    options.add(sequence());
    while (pos < pattern.length() && pattern.charAt(pos) == '|') {
      pos++;
      options.add(sequence());
    }
    if (options.size() == 1) {
      return options.get(0);
    }
    Gen<Integer> pick = Generate.range(0, options.size() - 1);
    return (in, out) -> options.get(pick.generate(in)).emit(in, out);
  }

  private Node sequence() {
    List<Node> items = new ArrayList<>();
    while (pos < pattern.length() && pattern.charAt(pos) != '|' && pattern.charAt(pos) != ')') {
      Node atom = atom();
      if (atom != null) {
        items.add(quantified(atom));
      }
    }
    return (in, out) -> items.forEach(n -> n.emit(in, out));
  }

  private Node quantified(Node atom) {
    if (pos >= pattern.length()) {
      return atom;
    }
    int min;
    int max;
    char c = pattern.charAt(pos);
    if (c == '*' || c == '+' || c == '?') {
      pos++;
      min = c == '+' ? 1 : 0;
      max = c == '?' ? 1 : min + UNBOUNDED_EXTRA;
    } else if (c == '{' && pattern.indexOf('}', pos) > pos) {
      int close = pattern.indexOf('}', pos);
      String body = pattern.substring(pos + 1, close);
      try {
        int comma = body.indexOf(',');
        if (comma < 0) {
          min = max = Integer.parseInt(body.trim());
        } else {
          min = Integer.parseInt(body.substring(0, comma).trim());
          String upper = body.substring(comma + 1).trim();
          max = upper.isEmpty() ? min + UNBOUNDED_EXTRA : Integer.parseInt(upper);
        }
      } catch (NumberFormatException e) {
        throw unsupported("quantifier {" + body + "}");
      }
      pos = close + 1;
    } else {
      return atom;
    }
    if (pos < pattern.length() && (pattern.charAt(pos) == '?' || pattern.charAt(pos) == '+')) {
      pos++; // lazy or possessive: the same strings match
    }
    Gen<Integer> count = Generate.range(min, Math.max(min, max));
    return (in, out) -> {
      int n = count.generate(in);
      for (int i = 0; i < n; i++) {
        atom.emit(in, out);
      }
    };
  }

  private Node atom() {
    char c = pattern.charAt(pos++);
    return switch (c) {
      case '^', '$' -> null;
      case '.' -> chars(PRINTABLE);
      case '(' -> group();
      case '[' -> chars(charClass());
      case '\\' -> chars(escape(false));
      default -> chars(String.valueOf(c));
    };
  }

  /** A group, after its {@code (}: {@code (...)} or {@code (?:...)}. */
  private Node group() {
    if (pattern.startsWith("?:", pos)) {
      pos += 2;
    } else if (pattern.startsWith("?", pos)) {
      throw unsupported("group (" + pattern.substring(pos, Math.min(pos + 2, pattern.length())));
    }
    Node inner = alternation();
    if (pos >= pattern.length() || pattern.charAt(pos) != ')') {
      throw unsupported("unclosed (");
    }
    pos++;
    return inner;
  }

  private String escape(boolean inClass) {
    if (pos >= pattern.length()) {
      throw unsupported("trailing \\");
    }
    char c = pattern.charAt(pos++);
    return switch (c) {
      case 'd' -> "0123456789";
      case 'w' -> "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
      case 's' -> " \t";
      case 'n' -> "\n";
      case 't' -> "\t";
      default -> {
        if (Character.isLetterOrDigit(c)) {
          throw unsupported("escape \\" + c);
        }
        yield String.valueOf(c);
      }
    };
  }

  private String charClass() {
    boolean negated = pos < pattern.length() && pattern.charAt(pos) == '^';
    if (negated) {
      pos++;
    }
    StringBuilder set = new StringBuilder();
    boolean first = true;
    while (pos < pattern.length() && (pattern.charAt(pos) != ']' || first)) {
      first = false;
      char c = pattern.charAt(pos++);
      String members;
      if (c == '\\') {
        members = escape(true);
      } else if (pos + 1 < pattern.length() && pattern.charAt(pos) == '-' && pattern.charAt(pos + 1) != ']') {
        char to = pattern.charAt(pos + 1);
        pos += 2;
        if (to < c) {
          throw unsupported("range " + c + "-" + to);
        }
        StringBuilder range = new StringBuilder();
        for (char x = c; x <= to; x++) {
          range.append(x);
        }
        members = range.toString();
      } else {
        members = String.valueOf(c);
      }
      set.append(members);
    }
    if (pos >= pattern.length()) {
      throw unsupported("unclosed [");
    }
    pos++;
    if (!negated) {
      return set.toString();
    }
    StringBuilder rest = new StringBuilder();
    for (char c : PRINTABLE.toCharArray()) {
      if (set.indexOf(String.valueOf(c)) < 0) {
        rest.append(c);
      }
    }
    if (rest.length() == 0) {
      throw unsupported("a class that excludes every printable character");
    }
    return rest.toString();
  }

  private static Node chars(String set) {
    Gen<Integer> index = Generate.range(0, set.length() - 1);
    return (in, out) -> out.append(set.charAt(index.generate(in)));
  }

  private IllegalArgumentException unsupported(String what) {
    return new IllegalArgumentException("pattern \"" + pattern + "\" uses " + what
        + ", beyond the simple patterns arguments are generated from (literals, . \\d \\w \\s, [classes],"
        + " groups, |, * + ? {n,m})");
  }

  private static String printable() {
    StringBuilder out = new StringBuilder();
    for (char c = 0x20; c < 0x7f; c++) {
      out.append(c);
    }
    return out.toString();
  }
}
