package io.toolgate.cli.scan;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * One text per JSON value, whatever the key order or number spelling: object keys sorted, numbers
 * by value ({@code 1}, {@code 1.0} and {@code 1e0} are one number), no spaces. Two schemas are the
 * same schema exactly when their canonical texts are equal; the scan's digest is the SHA-256 of it.
 */
final class CanonicalJson {
  private CanonicalJson() {}

  static String of(JsonNode node) {
    StringBuilder out = new StringBuilder();
    write(node, out);
    return out.toString();
  }

  /** {@code sha256:} and the hex SHA-256 of the canonical text. */
  static String digest(JsonNode node) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(of(node).getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static void write(JsonNode node, StringBuilder out) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      out.append("null");
    } else if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      out.append('{');
      for (int i = 0; i < names.size(); i++) {
        out.append(i == 0 ? "" : ",");
        string(names.get(i), out);
        out.append(':');
        write(node.get(names.get(i)), out);
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      Iterator<JsonNode> elements = node.elements();
      for (boolean first = true; elements.hasNext(); first = false) {
        out.append(first ? "" : ",");
        write(elements.next(), out);
      }
      out.append(']');
    } else if (node.isNumber()) {
      out.append(number(node));
    } else if (node.isTextual()) {
      string(node.textValue(), out);
    } else {
      out.append(node.asText());
    }
  }

  private static String number(JsonNode node) {
    if (node.isDouble() || node.isFloat()) {
      double value = node.doubleValue();
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        return Double.toString(value);
      }
    }
    BigDecimal value = node.decimalValue();
    return value.signum() == 0 ? "0" : value.stripTrailingZeros().toString();
  }

  private static void string(String text, StringBuilder out) {
    out.append('"').append(JsonStringEncoder.getInstance().quoteAsString(text)).append('"');
  }
}
