package io.toolgate.cli.scan;

import io.toolgate.cli.scan.ScannedTool.Hints;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Classes a tool as {@link RiskClass read, write, execute, financial or destructive}: by its MCP
 * annotations where they say, by the words of its name (or, when the name has none of the table's
 * words, of its description) where they do not. {@link #WORDS} is the whole vocabulary; docs/scan.md
 * prints it.
 *
 * <ol>
 *   <li>{@code readOnlyHint: true}: read.
 *   <li>{@code destructiveHint: true}, or {@code readOnlyHint: false} without {@code
 *       destructiveHint: false} (MCP's default is destructive): destructive.
 *   <li>A {@link Kind#DESTRUCTIVE destructive} word anywhere: destructive, unless an annotation
 *       says the tool is not destructive.
 *   <li>A {@link Kind#READ read} word as the first table word (the verb of {@code list_backtests},
 *       {@code github_get_issue}): read, unless {@code readOnlyHint: false}.
 *   <li>Otherwise write; a {@link Kind#WORK work} word makes it execute, and a {@link Kind#MONEY
 *       money} word financial.
 * </ol>
 *
 * <p>{@code idempotentHint} and {@code openWorldHint} are named in the explanation but change no
 * class: neither separates these five. A word matches a whole word of the text (split at anything
 * but letters and digits, and at camelCase), also with {@code s, es, d, ed, ing} added. Only the
 * first {@value #NAME_CHARS} characters of a name and {@value #DESCRIPTION_CHARS} of a description
 * are read, so the time is bounded whatever the server sends.
 */
public final class RiskClassifier {
  static final int NAME_CHARS = 256;
  static final int DESCRIPTION_CHARS = 2_000;

  /** What a table word says about a tool. */
  public enum Kind {
    /** Reads: read when it is the first table word. */
    READ,
    /** Changes something: write, and a first word that is not a read. */
    WRITE,
    /** Runs work: execute (unless the tool reads). */
    WORK,
    /** Money, trading or live systems: financial (unless the tool reads). */
    MONEY,
    /** Deletes or destroys: destructive, wherever it is. */
    DESTRUCTIVE
  }

  /** The word table. */
  public static final Map<Kind, List<String>> WORDS = table();

  private static final String[] SUFFIXES = {"", "s", "es", "d", "ed", "ing"};
  private static final Map<String, Word> INDEX = index();

  private RiskClassifier() {}

  /**
   * A tool's class and why.
   *
   * @param risk the class
   * @param why what decided it: annotations and table words only, never the server's own text
   */
  public record Classification(RiskClass risk, String why) {}

  /** Classes {@code tool}. */
  public static Classification classify(ScannedTool tool) {
    Hints hints = tool.hints();
    if (Boolean.TRUE.equals(hints.readOnly())) {
      return new Classification(RiskClass.READ, "annotation readOnlyHint: true");
    }
    if (Boolean.TRUE.equals(hints.destructive())) {
      return new Classification(RiskClass.DESTRUCTIVE, "annotation destructiveHint: true");
    }
    if (Boolean.FALSE.equals(hints.readOnly()) && hints.destructive() == null) {
      return new Classification(RiskClass.DESTRUCTIVE, "annotation readOnlyHint: false without destructiveHint (MCP's default is destructive)");
    }
    List<String> why = new ArrayList<>();
    if (Boolean.FALSE.equals(hints.readOnly())) {
      why.add("annotation readOnlyHint: false");
    }
    if (Boolean.FALSE.equals(hints.destructive())) {
      why.add("annotation destructiveHint: false");
    }
    Found found = find(tool.name(), NAME_CHARS);
    String where = "name";
    if (found.first == null) {
      found = find(tool.description(), DESCRIPTION_CHARS);
      where = "description";
    }
    RiskClass risk = decide(found, hints, where, why);
    if (hints.idempotent() != null) {
      why.add("idempotentHint: " + hints.idempotent());
    }
    if (hints.openWorld() != null) {
      why.add("openWorldHint: " + hints.openWorld());
    }
    return new Classification(risk, String.join("; ", why));
  }

  private static RiskClass decide(Found found, Hints hints, String where, List<String> why) {
    if (found.first == null) {
      why.add("no table word in the name or description");
      return RiskClass.WRITE;
    }
    if (found.of.containsKey(Kind.DESTRUCTIVE) && !Boolean.FALSE.equals(hints.destructive())) {
      why.add(where + " word \"" + found.of.get(Kind.DESTRUCTIVE) + "\"");
      return RiskClass.DESTRUCTIVE;
    }
    if (found.first.kind == Kind.READ && !Boolean.FALSE.equals(hints.readOnly())) {
      why.add(where + " starts with the word \"" + found.first.word + "\"");
      return RiskClass.READ;
    }
    if (found.of.containsKey(Kind.MONEY)) {
      why.add(where + " word \"" + found.of.get(Kind.MONEY) + "\"");
      return RiskClass.FINANCIAL;
    }
    if (found.of.containsKey(Kind.WORK)) {
      why.add(where + " word \"" + found.of.get(Kind.WORK) + "\"");
      return RiskClass.EXECUTE;
    }
    why.add(found.of.containsKey(Kind.WRITE) ? where + " word \"" + found.of.get(Kind.WRITE) + "\"" : "no write, work or money word");
    return RiskClass.WRITE;
  }

  /** A table word: its kind and its spelling in the table. */
  private record Word(Kind kind, String word) {}

  /** The first table word of a text and the first of each kind. */
  private static final class Found {
    Word first;
    final Map<Kind, String> of = new EnumMap<>(Kind.class);
  }

  private static Found find(String text, int maxChars) {
    Found found = new Found();
    if (text == null) {
      return found;
    }
    for (String token : tokens(text, maxChars)) {
      Word word = INDEX.get(token);
      if (word != null) {
        found.first = found.first == null ? word : found.first;
        found.of.putIfAbsent(word.kind, word.word);
      }
    }
    return found;
  }

  /** Lower-case words of the first {@code maxChars} characters, split at non-letters and camelCase. */
  static List<String> tokens(String text, int maxChars) {
    List<String> tokens = new ArrayList<>();
    int end = Math.min(text.length(), maxChars);
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      boolean letter = Character.isLetterOrDigit(c);
      boolean camel = Character.isUpperCase(c) && i > 0 && Character.isLowerCase(text.charAt(i - 1));
      if ((!letter || camel) && current.length() > 0) {
        tokens.add(current.toString().toLowerCase(Locale.ROOT));
        current.setLength(0);
      }
      if (letter) {
        current.append(c);
      }
    }
    if (current.length() > 0) {
      tokens.add(current.toString().toLowerCase(Locale.ROOT));
    }
    return tokens;
  }

  private static Map<Kind, List<String>> table() {
    Map<Kind, List<String>> table = new EnumMap<>(Kind.class);
    table.put(Kind.READ, List.of("get", "list", "read", "search", "find", "fetch", "query", "describe", "show",
        "view", "lookup", "retrieve", "inspect", "status", "count", "browse", "preview", "download", "export"));
    table.put(Kind.WRITE, List.of("create", "update", "set", "add", "write", "edit", "modify", "put", "patch",
        "upload", "save", "rename", "move", "copy", "insert", "append", "post", "send", "import", "enable",
        "disable", "configure", "comment", "tag", "place", "cancel", "start", "stop", "submit", "approve"));
    table.put(Kind.WORK, List.of("run", "exec", "execute", "compile", "build", "backtest", "optimize",
        "optimization", "launch", "invoke", "eval", "evaluate", "shell", "command", "script", "spawn", "train", "job"));
    table.put(Kind.MONEY, List.of("pay", "payment", "charge", "refund", "transfer", "withdraw", "deposit",
        "payout", "purchase", "buy", "sell", "trade", "order", "liquidate", "deploy", "live", "money", "invoice",
        "wallet", "fund", "billing", "subscription", "production"));
    table.put(Kind.DESTRUCTIVE, List.of("delete", "remove", "drop", "destroy", "purge", "erase", "wipe",
        "truncate", "kill", "terminate", "revoke", "uninstall", "reset", "overwrite", "rm"));
    return java.util.Collections.unmodifiableMap(table);
  }

  /** Every spelling of every table word; a spelling of two words keeps the later kind in {@link Kind} order. */
  private static Map<String, Word> index() {
    Map<String, Word> index = new HashMap<>();
    WORDS.forEach((kind, words) -> words.forEach(word -> {
      List<String> forms = new ArrayList<>();
      for (String suffix : SUFFIXES) {
        forms.add(word + suffix);
      }
      if (word.endsWith("e")) {
        forms.add(word.substring(0, word.length() - 1) + "ing");
      }
      forms.forEach(form -> index.put(form, new Word(kind, word)));
    }));
    return Map.copyOf(index);
  }
}
