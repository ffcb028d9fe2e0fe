package io.toolgate.engine.internal.format;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.net.IDN;
import java.util.Optional;
import org.apache.commons.validator.routines.DomainValidator;

/**
 * {@code format: hostname} as Everit decided it (commons-validator's {@code DomainValidator} with
 * local names allowed, and no {@code _}), with its expressions compiled by RE2/J instead of
 * {@code java.util.regex}; the top-level domain is looked up in commons-validator's lists, a
 * binary search.
 */
final class HostnameFormat {
  /** The longest host name: commons-validator's limit on the ASCII form, which is never shorter. */
  static final int MAX_CHARS = 253;

  // commons-validator's DOMAIN_NAME_REGEX and DOMAIN_LABEL_REGEX, with \p{Alnum} and \p{Alpha}
  // spelt out (ASCII in Java) and the atomic groups as plain ones: a label's group can end only at
  // its last letter or digit before a '.' or the end, so no shorter match of it could be used.
  private static final String LABEL_REST = "(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
  private static final Pattern DOMAIN_NAME =
      Pattern.compile("(?:[A-Za-z0-9]" + LABEL_REST + "\\.)+([A-Za-z]" + LABEL_REST + ")\\.?");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]" + LABEL_REST);

  private static final boolean IDN_KEEPS_TRAILING_DOT = IDN.toASCII("a.").endsWith(".");

  private HostnameFormat() {}

  static Optional<String> check(String subject) {
    return validDomain(subject, true) && subject.indexOf('_') < 0
        ? Optional.empty()
        : Optional.of("[" + subject + "] is not a valid hostname");
  }

  /** {@code DomainValidator.getInstance(allowLocal).isValid(domain)}. */
  static boolean validDomain(String domain, boolean allowLocal) {
    if (domain.length() > MAX_CHARS) {
      return false; // the ASCII form is at least as long
    }
    String ascii = toAscii(domain);
    if (ascii.length() > MAX_CHARS) {
      return false;
    }
    Matcher m = DOMAIN_NAME.matcher(ascii);
    if (m.matches()) {
      return DomainValidator.getInstance(allowLocal).isValidTld(m.group(1));
    }
    return allowLocal && LABEL.matches(ascii);
  }

  /** {@code DomainValidator.getInstance(false).isValidTld(tld)} for a string of bounded length. */
  static boolean validTld(String tld) {
    return tld.length() <= MAX_CHARS && DomainValidator.getInstance(false).isValidTld(tld);
  }

  /** commons-validator's {@code unicodeToASCII}: IDN's ASCII form, keeping a trailing dot. */
  private static String toAscii(String input) {
    if (input.chars().allMatch(c -> c < 0x80)) {
      return input;
    }
    try {
      String ascii = IDN.toASCII(input);
      if (IDN_KEEPS_TRAILING_DOT || input.isEmpty()) {
        return ascii;
      }
      return switch (input.charAt(input.length() - 1)) {
        case '.', '\u3002', '\uFF0E', '\uFF61' -> ascii + ".";
        default -> ascii;
      };
    } catch (IllegalArgumentException e) {
      return input;
    }
  }
}
