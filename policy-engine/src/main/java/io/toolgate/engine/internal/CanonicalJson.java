package io.toolgate.engine.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * The one canonical text of a JSON value, and its SHA-256 digest. Two argument trees that mean
 * the same thing have the same canonical text: the approval queue compares calls by it and the
 * audit's {@code args_digest} hashes it.
 *
 * <p>The form: compact JSON written by Jackson; object keys sorted by their UTF-16 code units;
 * numbers by value ({@code 7}, {@code 7.0} and {@code 7e0} are all written {@code 7}): the
 * number's decimal value without trailing zeros, written as a plain integer when it is one of at
 * most 30 digits and otherwise as {@link BigDecimal#toString()} writes it; non-finite doubles are
 * written as the bare tokens {@code NaN}, {@code Infinity} and {@code -Infinity} (so they never
 * equal the strings of those names); a string or key holding a lone (unpaired) UTF-16 surrogate
 * has it written as the escape <code>&#92;ud800</code> (lower-case hex), where Jackson would write the
 * char itself and UTF-8 would turn it into {@code ?}, so that <code>"a&#92;ud800"</code>, <code>
 * "a&#92;udfff"</code> and {@code "a?"} have distinct digests. Everything else is as Jackson writes it.
 */
public final class CanonicalJson {
  /** Deepest nesting of objects and arrays accepted (Jackson's own default limit for writing). */
  public static final int MAX_DEPTH = 1000;

  private CanonicalJson() {}

  /**
   * The canonical text of {@code value}.
   *
   * @throws IllegalArgumentException if the tree is nested deeper than {@link #MAX_DEPTH} or
   *     holds a value that is not JSON (a POJO or binary node)
   */
  public static String canonical(JsonNode value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator gen = Jackson.JSON.getFactory().createGenerator(out)) {
      write(gen, value, 0);
    } catch (IOException e) {
      // A StringWriter does not fail: this is one of Jackson's write constraints.
      throw new IllegalArgumentException("arguments cannot be written as JSON: " + e.getMessage(), e);
    }
    String text = out.toString();
    // Jackson writes a lone surrogate as the char itself (only strings and keys can hold one, the
    // rest is ASCII): escape it, so that UTF-8 does not turn it into '?'.
    return hasLoneSurrogate(text) ? escapeLoneSurrogates(text) : text;
  }

  private static String escapeLoneSurrogates(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The SHA-256 of the UTF-8 bytes of the canonical text of {@code value}, in lower-case hex. */
  public static String sha256Hex(JsonNode value) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    return HexFormat.of().formatHex(sha.digest(canonical(value).getBytes(StandardCharsets.UTF_8)));
  }

  private static void write(JsonGenerator gen, JsonNode node, int depth) throws IOException {
    if (depth >= MAX_DEPTH) {
      throw new IllegalArgumentException("arguments are nested deeper than " + MAX_DEPTH + " levels");
    }
    switch (node.getNodeType()) {
      case OBJECT:
        List<String> keys = new ArrayList<>(node.size());
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
          keys.add(it.next());
        }
        Collections.sort(keys);
        gen.writeStartObject();
        for (String key : keys) {
          gen.writeFieldName(key);
          write(gen, node.get(key), depth + 1);
        }
        gen.writeEndObject();
        return;
      case ARRAY:
        gen.writeStartArray();
        for (JsonNode element : node) {
          write(gen, element, depth + 1);
        }
        gen.writeEndArray();
        return;
      case NUMBER:
        gen.writeNumber(number(node));
        return;
      case STRING:
        gen.writeString(node.textValue());
        return;
      case BOOLEAN:
        gen.writeBoolean(node.booleanValue());
        return;
      case NULL:
      case MISSING:
        gen.writeNull();
        return;
      default:
        throw new IllegalArgumentException("arguments hold a value that is not JSON (" + node.getNodeType() + ")");
    }
  }

  static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** The canonical text of a number node, by value. */
  static String number(JsonNode n) {
    if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
      double d = n.doubleValue();
      return Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return Long.toString(n.longValue());
    }
    BigDecimal value = n.isDouble() || n.isFloat() ? BigDecimal.valueOf(n.doubleValue()) : n.decimalValue();
    BigDecimal d = value.stripTrailingZeros();
    if (d.signum() == 0) {
      return "0";
    }
    if (d.scale() <= 0 && d.precision() - d.scale() <= 30) {
      return d.toBigInteger().toString();
    }
    return d.toString();
  }
}
