package io.toolgate.engine.internal.format;

import java.util.Optional;
import org.apache.commons.validator.routines.InetAddressValidator;

/**
 * {@code format: ipv4} and {@code ipv6} as Everit decided them (commons-validator's {@code
 * InetAddressValidator}). IPv4 is a plain scan here; IPv6 keeps commons-validator's check (splits
 * and counts, no backtracking expression) behind a length cap.
 */
final class IpFormats {
  /** {@code 255.255.255.255}. */
  static final int MAX_IPV4_CHARS = 15;

  /** A full IPv6 address with an embedded IPv4 one is 45 chars; the rest is room for a zone id. */
  static final int MAX_IPV6_CHARS = 128;

  private IpFormats() {}

  static Optional<String> checkIpv4(String subject) {
    return ipv4(subject) ? Optional.empty() : Optional.of("[" + subject + "] is not a valid ipv4 address");
  }

  static Optional<String> checkIpv6(String subject) {
    return ipv6(subject) ? Optional.empty() : Optional.of("[" + subject + "] is not a valid ipv6 address");
  }

  /**
   * {@code ^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$}, each group at most 255 and without a
   * leading zero.
   */
  static boolean ipv4(String s) {
    if (s.length() > MAX_IPV4_CHARS) {
      return false;
    }
    int groups = 0;
    int i = 0;
    int n = s.length();
    while (true) {
      int start = i;
      int value = 0;
      while (i < n && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || value > 255 || digits > 1 && s.charAt(start) == '0') {
        return false;
      }
      groups++;
      if (groups == 4) {
        return i == n;
      }
      if (i == n || s.charAt(i) != '.') {
        return false;
      }
      i++;
    }
  }

  static boolean ipv6(String s) {
    return s.length() <= MAX_IPV6_CHARS && InetAddressValidator.getInstance().isValidInet6Address(s);
  }
}
