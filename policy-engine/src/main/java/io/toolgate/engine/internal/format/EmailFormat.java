package io.toolgate.engine.internal.format;

import com.google.re2j.Pattern;
import java.util.Optional;

/**
 * {@code format: email} as Everit decided it (commons-validator's {@code EmailValidator}, local
 * addresses refused, a bare top-level domain allowed), in linear time. commons-validator splits
 * the address with {@code ^(.+)@(\S+)$}, which backtracks quadratically on a string of
 * {@code @}s; here the split is a scan for the last {@code @}, and the user part runs through
 * commons-validator's own expression compiled by RE2/J.
 */
final class EmailFormat {
  /** The longest address accepted: a 64-char user, {@code @}, a 253-char domain, and room for a literal. */
  static final int MAX_CHARS = 320;

  /** commons-validator's user-part limit. */
  private static final int MAX_USER_CHARS = 64;

  // commons-validator's USER_REGEX, in RE2 syntax: Java's \s is [ \t\n\x0B\f\r], \p{Cntrl} is
  // [\x00-\x1F\x7F] and '.' matches anything but \n \r \u0085 \u2028 \u2029.
  private static final String SPACE = " \\t\\n\\x0B\\f\\r";
  private static final String SPECIAL = "\\x00-\\x1F\\x7F()<>@,;:'\\\\\".\\[\\]";
  private static final String ANY = "[^\\n\\r\\x{85}\\x{2028}\\x{2029}]";
  private static final String WORD = "(?:(?:\\\\" + ANY + "|[^" + SPACE + SPECIAL + "]|')+|\"(?:\\\\\"|[^\"])*\")";
  private static final Pattern USER = Pattern.compile(WORD + "(?:\\." + WORD + ")*");

  private EmailFormat() {}

  static Optional<String> check(String subject) {
    return valid(subject) ? Optional.empty() : Optional.of("[" + subject + "] is not a valid email address");
  }

  static boolean valid(String email) {
    if (email.endsWith(".")) {
      return false;
    }
    // ^(.+)@(\S+)$: the greedy (.+) takes no line terminator and ends at the last '@' it can
    // reach; (\S+) after it fails for every earlier '@' too, since it would hold the same text.
    int at = email.lastIndexOf('@', firstLineTerminator(email));
    if (at <= 0 || at == email.length() - 1) {
      return false;
    }
    String user = email.substring(0, at);
    String domain = email.substring(at + 1);
    if (containsJavaSpace(domain)) {
      return false;
    }
    if (user.length() > MAX_USER_CHARS || !USER.matches(user)) {
      return false;
    }
    return validDomain(domain);
  }

  private static boolean validDomain(String domain) {
    // ^\[(.*)\]$: an address literal
    if (domain.length() >= 2 && domain.charAt(0) == '[' && domain.charAt(domain.length() - 1) == ']') {
      String literal = domain.substring(1, domain.length() - 1);
      if (firstLineTerminator(literal) == literal.length()) {
        return IpFormats.ipv4(literal) || IpFormats.ipv6(literal);
      }
    }
    return HostnameFormat.validDomain(domain, false) || !domain.startsWith(".") && HostnameFormat.validTld(domain);
  }

  /** The index of the first char Java's '.' does not match, or the length. */
  private static int firstLineTerminator(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        return i;
      }
    }
    return s.length();
  }

  private static boolean containsJavaSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r') {
        return true;
      }
    }
    return false;
  }
}
