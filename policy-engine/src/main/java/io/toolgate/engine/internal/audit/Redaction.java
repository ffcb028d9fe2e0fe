package io.toolgate.engine.internal.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hides the values of argument keys that look secret. A key is normalised by lower-casing it and
 * dropping every character that is not a letter or digit ({@code API-Key}, {@code api_key} and
 * {@code apiKey} all become {@code apikey}); it is secret if the normalised key contains one of
 * the {@link #DEFAULT_FRAGMENTS} (or a fragment added by the user), or if one of its words (split
 * at separators and lower-to-upper case changes) is one of the {@link #DEFAULT_WORDS}. Matching
 * errs on the side of hiding: {@code max_tokens} is hidden too.
 */
public final class Redaction {
  /** What a secret value is replaced by. */
  public static final String REDACTED = "[REDACTED]";

  /** Hidden wherever they occur in a normalised key. */
  public static final List<String> DEFAULT_FRAGMENTS =
      List.of(
          "password", "passwd", "passphrase", "secret", "token", "apikey", "authorization",
          "credential", "privatekey", "cookie", "sessionkey", "accesskey");

  /** Hidden only as a whole word of a key: {@code auth} hides {@code x-auth} but not {@code author}. */
  public static final List<String> DEFAULT_WORDS = List.of("auth", "pwd", "bearer");

  private static final TextNode REDACTED_NODE = TextNode.valueOf(REDACTED);

  private final List<String> fragments;

  private Redaction(List<String> fragments) {
    this.fragments = fragments;
  }

  /** The default fragments plus {@code extra} ones, normalised like keys. */
  public static Redaction withExtraFragments(List<String> extra) {
    List<String> all = new ArrayList<>(DEFAULT_FRAGMENTS);
    for (String fragment : extra) {
      String normal = normalise(fragment);
      if (normal.isEmpty()) {
        throw new IllegalArgumentException("a key fragment to redact needs a letter or digit: \"" + fragment + "\"");
      }
      all.add(normal);
    }
    return new Redaction(List.copyOf(all));
  }

  /** Whether the value of {@code key} is hidden. */
  public boolean isSecret(String key) {
    String normal = normalise(key);
    for (String fragment : fragments) {
      if (normal.contains(fragment)) {
        return true;
      }
    }
    return hasDefaultWord(key);
  }

  /**
   * Whether a word of {@code key} is one of the {@link #DEFAULT_WORDS}, ignoring case. Words are
   * runs of ASCII letters and digits, also split where a lower-case letter meets an upper-case
   * one ({@code xAuth}). One pass, no regular expression: a key is agent text of any length.
   */
  private static boolean hasDefaultWord(String key) {
    int start = -1;
    for (int i = 0; i <= key.length(); i++) {
      char c = i < key.length() ? key.charAt(i) : ' ';
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      boolean camel = alnum && start >= 0 && c >= 'A' && c <= 'Z' && isAsciiLower(key.charAt(i - 1));
      if (start >= 0 && (!alnum || camel)) {
        if (isDefaultWord(key, start, i)) {
          return true;
        }
        start = -1;
      }
      if (alnum && start < 0) {
        start = i;
      }
    }
    return false;
  }

  private static boolean isAsciiLower(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isDefaultWord(String key, int start, int end) {
    for (String word : DEFAULT_WORDS) {
      if (end - start == word.length() && key.regionMatches(true, start, word, 0, word.length())) {
        return true;
      }
    }
    return false;
  }

  /**
   * A copy of {@code tree} where the value of every secret key, at any depth (inside arrays too),
   * is {@link #REDACTED}. {@code tree} is not modified.
   */
  public JsonNode redact(JsonNode tree) {
    if (tree.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> field : tree.properties()) {
        out.set(field.getKey(), isSecret(field.getKey()) ? REDACTED_NODE : redact(field.getValue()));
      }
      return out;
    }
    if (tree.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode(tree.size());
      for (JsonNode element : tree) {
        out.add(redact(element));
      }
      return out;
    }
    return tree;
  }

  private static String normalise(String key) {
    StringBuilder out = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        out.append(Character.toLowerCase(c));
      }
    }
    return out.toString();
  }
}
