package io.toolgate.engine.internal.format;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.toolgate.engine.internal.load.RegexSize;
import java.util.Optional;

/**
 * {@code format: regex}: whether RE2/J compiles the value, the dialect of every regular expression
 * the engine runs. Everit compiled the agent's text with {@code java.util.regex}, whose compiler
 * recurses on nesting; here the text is bounded, and so is the program it would compile to.
 */
final class RegexFormat {
  /** The longest expression accepted. */
  static final int MAX_CHARS = 1_000;

  /** The largest estimated program compiled ({@link RegexSize#estimate}); compiling costs its size. */
  static final long MAX_PROGRAM = 100_000;

  private RegexFormat() {}

  static Optional<String> check(String subject) {
    if (subject.length() <= MAX_CHARS && RegexSize.estimate(subject) <= MAX_PROGRAM) {
      try {
        Pattern.compile(subject);
        return Optional.empty();
      } catch (PatternSyntaxException e) {
        // falls through to the failure
      }
    }
    return Optional.of("[" + subject + "] is not a valid regular expression");
  }
}
