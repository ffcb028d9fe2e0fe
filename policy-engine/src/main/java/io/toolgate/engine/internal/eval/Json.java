package io.toolgate.engine.internal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.internal.CanonicalJson;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/** JSON comparisons as the policy language defines them: numbers by value, never by text. */
final class Json {
  private Json() {}

  /** What {@link #compareNumbers} returns when either number is NaN: they have no order. */
  static final int UNORDERED = Integer.MIN_VALUE;

  private static final int NEGATIVE_INFINITY = -1;
  private static final int FINITE = 0;
  private static final int POSITIVE_INFINITY = 1;
  private static final int NAN = 2;

  /**
   * Deep equality where numbers compare by value ({@code 1 == 1.0}, {@code Infinity ==
   * Infinity}). {@link Truth#UNKNOWN} when a NaN must be compared with something and no other
   * part already makes the values differ; {@link Truth#FALSE} for values of different types.
   */
  static Truth equal(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      int order = compareNumbers(a, b);
      return order == UNORDERED ? Truth.UNKNOWN : Truth.of(order == 0);
    }
    if (isNaN(a) || isNaN(b)) {
      return Truth.UNKNOWN;
    }
    if (a.getNodeType() != b.getNodeType()) {
      return Truth.FALSE;
    }
    if (a.isArray()) {
      if (a.size() != b.size()) {
        return Truth.FALSE;
      }
      Truth all = Truth.TRUE;
      for (int i = 0; i < a.size(); i++) {
        Truth t = equal(a.get(i), b.get(i));
        if (t == Truth.FALSE) {
          return Truth.FALSE;
        }
        if (t == Truth.UNKNOWN) {
          all = Truth.UNKNOWN;
        }
      }
      return all;
    }
    if (a.isObject()) {
      if (a.size() != b.size()) {
        return Truth.FALSE;
      }
      Truth all = Truth.TRUE;
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode other = b.get(field.getKey());
        if (other == null) {
          return Truth.FALSE;
        }
        Truth t = equal(field.getValue(), other);
        if (t == Truth.FALSE) {
          return Truth.FALSE;
        }
        if (t == Truth.UNKNOWN) {
          all = Truth.UNKNOWN;
        }
      }
      return all;
    }
    return Truth.of(a.equals(b));
  }

  /** Whether {@code n} is a NaN number. */
  static boolean isNaN(JsonNode n) {
    return (n.isDouble() || n.isFloat()) && Double.isNaN(n.doubleValue());
  }

  /**
   * Compares two number nodes by value: negative, zero or positive, or {@link #UNORDERED} when
   * either is NaN. Infinities order as the infinities they are, below or above every finite
   * number (big integers and big decimals included) and equal to themselves.
   */
  static int compareNumbers(JsonNode a, JsonNode b) {
    if (a.isIntegralNumber() && b.isIntegralNumber() && a.canConvertToLong() && b.canConvertToLong()) {
      return Long.compare(a.longValue(), b.longValue());
    }
    int ka = kind(a);
    int kb = kind(b);
    if (ka == NAN || kb == NAN) {
      return UNORDERED;
    }
    if (ka != FINITE || kb != FINITE) {
      return Integer.compare(ka, kb);
    }
    return decimal(a).compareTo(decimal(b));
  }

  /** Whether {@code n} is finite, an infinity or NaN; only double and float nodes can be other than finite. */
  private static int kind(JsonNode n) {
    if (n.isDouble() || n.isFloat()) {
      double d = n.doubleValue();
      if (Double.isNaN(d)) {
        return NAN;
      }
      if (Double.isInfinite(d)) {
        return d > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
      }
    }
    return FINITE;
  }

  /** The exact value of a finite number node. */
  private static BigDecimal decimal(JsonNode n) {
    return n.isDouble() || n.isFloat() ? BigDecimal.valueOf(n.doubleValue()) : n.decimalValue();
  }

  /** Longest scope value kept as text; a longer one is keyed by its digest. */
  static final int MAX_SCOPE_CHARS = 256;

  /** Starts every digested scope value; a short value starting with {@code #} gets one more. */
  static final String DIGEST_PREFIX = "#sha256:";

  /**
   * The counter scope value of an argument ({@code scope: args.<path>}): one key per distinct
   * value, and never a long one.
   *
   * <ul>
   *   <li>a string is its text; a number its value ({@code 7}, {@code 7.0} and {@code 7e0} are
   *       one key; {@code Infinity}, {@code -Infinity} and {@code NaN} are keys of their own); a
   *       boolean {@code true}/{@code false}; an array or object its canonical JSON ({@link
   *       CanonicalJson}: key order does not matter);
   *   <li>so a string and the number, boolean or JSON it spells share a key ({@code "7"} and
   *       {@code 7}): both count against one budget, so neither form buys more calls;
   *   <li>a text longer than {@link #MAX_SCOPE_CHARS} becomes {@link #DIGEST_PREFIX} and the
   *       SHA-256 of its UTF-16 code units in hex; a short text that starts with {@code #} gets
   *       another {@code #} in front, so no short key looks like a digest.
   * </ul>
   *
   * @throws IllegalArgumentException for an array or object nested deeper than {@link
   *     CanonicalJson#MAX_DEPTH} (the engine denies such a call as unreadable)
   */
  static String scopeText(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return Long.toString(value.longValue()); // what the canonical text is, without a generator
    }
    String text = value.isTextual() ? value.textValue() : CanonicalJson.canonical(value);
    if (text.length() > MAX_SCOPE_CHARS) {
      return DIGEST_PREFIX + sha256Hex(text);
    }
    return text.startsWith("#") ? "#" + text : text;
  }

  /** SHA-256 of the UTF-16BE code units of {@code text} (lone surrogates included, unlike UTF-8). */
  private static String sha256Hex(String text) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    byte[] chunk = new byte[8192];
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      chunk[n++] = (byte) (c >> 8);
      chunk[n++] = (byte) c;
      if (n == chunk.length) {
        sha.update(chunk, 0, n);
        n = 0;
      }
    }
    sha.update(chunk, 0, n);
    return HexFormat.of().formatHex(sha.digest());
  }
}
