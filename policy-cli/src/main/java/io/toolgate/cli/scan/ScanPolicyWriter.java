package io.toolgate.cli.scan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.toolgate.api.AgentText;
import io.toolgate.cli.scan.RiskClassifier.Classification;
import io.toolgate.engine.ArgumentsSchema;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyDocuments;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.PolicyView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;

/**
 * Writes the first policy for a server's tools: {@code default: deny} and one entry per tool, each
 * after a comment naming its class and why, with the rule its class recommends. Keys and values are
 * written by Jackson's YAML writer; comments hold only the scan's own words. Every entry is read
 * back before it is kept, and the whole policy is loaded before it is returned.
 */
public final class ScanPolicyWriter {
  /** Calls a minute per grant a write tool gets. */
  public static final int WRITE_PER_MINUTE = 30;
  /** Calls a minute per grant an execute tool gets. */
  public static final int EXECUTE_PER_MINUTE = 10;
  /** Longest tool name written; a longer one is left to {@code default: deny}. */
  public static final int MAX_NAME_CHARS = 1_024;
  /** Largest inputSchema (canonical JSON characters) copied into {@code arguments}. */
  public static final int MAX_SCHEMA_CHARS = 64 * 1_024;
  /** Deepest inputSchema copied into {@code arguments} (the policy as a whole may nest 64 deep). */
  public static final int MAX_SCHEMA_DEPTH = 48;
  /** How an entry's {@code description} records the schema its {@code arguments} were taken from. */
  public static final String SCHEMA_MARK = "toolgate scan: arguments from inputSchema ";

  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .build());
  private static final ObjectMapper QUOTED_YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .build());
  /** Every character outside printable ASCII escaped: for entries holding control, format or line-separator characters. */
  private static final ObjectMapper ESCAPED_YAML = new ObjectMapper(YAMLFactory.builder()
      .dumperOptions(escaping())
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .build());
  private static final ObjectMapper READER = PolicyDocuments.yamlMapper();

  private static DumperOptions escaping() {
    DumperOptions options = new DumperOptions();
    options.setAllowUnicode(false);
    options.setSplitLines(false);
    options.setExplicitStart(false);
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setDefaultScalarStyle(DumperOptions.ScalarStyle.DOUBLE_QUOTED);
    return options;
  }

  private ScanPolicyWriter() {}

  /**
   * One tool's entry.
   *
   * @param tool the tool (the first listing of its name)
   * @param classification its class and why
   * @param key the entry's key: the name, with {@code * ? [} written as {@code [*] [?] [[]} so it
   *     matches only that name
   * @param entry the entry as written
   * @param notes what the scan could not do as the class recommends, in its own words (a copy,
   *     once written)
   */
  public record Planned(ScannedTool tool, Classification classification, String key, ObjectNode entry, List<String> notes) {}

  /**
   * A written policy.
   *
   * @param yaml the policy text
   * @param entries one per distinct tool name, in listing order
   * @param skipped excerpts of the names left out, each with why (too long, or not writable)
   */
  public record Written(String yaml, List<Planned> entries, List<String> skipped) {}

  /** The key that matches exactly {@code name}: glob characters each in a class of their own. */
  public static String exactKey(String name) {
    StringBuilder key = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      switch (c) {
        case '*' -> key.append("[*]");
        case '?' -> key.append("[?]");
        case '[' -> key.append("[[]");
        default -> key.append(c);
      }
    }
    return key.toString();
  }

  /**
   * The name a key written by {@link #exactKey} matches, or {@code null} when the key is a glob
   * that matches more than one name.
   */
  public static String exactName(String key) {
    StringBuilder name = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '*' || c == '?') {
        return null;
      }
      if (c == '[') {
        if (i + 2 < key.length() && key.charAt(i + 2) == ']' && "*?[".indexOf(key.charAt(i + 1)) >= 0) {
          name.append(key.charAt(i + 1));
          i += 2;
          continue;
        }
        return null;
      }
      name.append(c);
    }
    return name.toString();
  }

  /** The policy for {@code tools}; {@code approveDestructive} holds destructive tools for approval instead of denying them. */
  public static Written write(List<ScannedTool> tools, boolean approveDestructive) {
    Map<String, List<ScannedTool>> byName = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (ScannedTool tool : tools) {
      if (tool.name().length() > MAX_NAME_CHARS) {
        skipped.add(AgentText.excerpt(tool.name()) + " (a name over " + MAX_NAME_CHARS + " characters)");
      } else {
        byName.computeIfAbsent(tool.name(), n -> new ArrayList<>()).add(tool);
      }
    }
    List<Planned> entries = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (List<ScannedTool> listed : byName.values()) {
      Planned planned = plan(listed, approveDestructive);
      String fragment = fragment(planned);
      if (fragment == null) {
        skipped.add(AgentText.excerpt(planned.tool().name()) + " (its name does not read back from YAML as sent)");
        continue;
      }
      planned = new Planned(planned.tool(), planned.classification(), planned.key(), planned.entry(), List.copyOf(planned.notes()));
      entries.add(planned);
      body.append("  # ").append(planned.classification().risk().label()).append(": ").append(planned.classification().why()).append('\n');
      for (String note : planned.notes()) {
        body.append("  # ").append(note).append('\n');
      }
      fragment.lines().forEach(line -> body.append("  ").append(line).append('\n'));
    }
    StringBuilder yaml = new StringBuilder();
    yaml.append("# Written by toolgate scan: ").append(entries.size()).append(entries.size() == 1 ? " tool" : " tools")
        .append(". Review every entry before use; docs/scan.md explains the classes.\n");
    if (!skipped.isEmpty()) {
      yaml.append("# ").append(skipped.size()).append(skipped.size() == 1 ? " tool" : " tools")
          .append(" left out (see the scan's messages): default deny refuses them.\n");
    }
    yaml.append("version: \"1\"\ndefault: deny\n");
    yaml.append(entries.isEmpty() ? "tools: {}\n" : "tools:\n").append(body);
    String text = yaml.toString();
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Policy.MAX_BYTES) {
      throw new ScanException("the policy for " + entries.size() + " tools would be " + bytes + " bytes, over the "
          + Policy.MAX_BYTES + " a policy may have; narrow the scan with --only or --exclude");
    }
    verify(text, entries);
    return new Written(text, List.copyOf(entries), List.copyOf(skipped));
  }

  private static Planned plan(List<ScannedTool> listed, boolean approveDestructive) {
    ScannedTool tool = listed.get(0);
    Classification classification = RiskClassifier.classify(tool);
    for (ScannedTool other : listed.subList(1, listed.size())) {
      Classification next = RiskClassifier.classify(other);
      if (next.risk().ordinal() > classification.risk().ordinal()) {
        classification = next;
      }
    }
    List<String> notes = new ArrayList<>();
    if (listed.size() > 1) {
      notes.add("listed " + listed.size() + " times: the most severe class is kept");
    }
    ObjectNode entry = JsonNodeFactory.instance.objectNode();
    switch (classification.risk()) {
      case READ -> entry.put("action", "allow");
      case WRITE -> {
        entry.put("action", "allow");
        limit(entry, WRITE_PER_MINUTE);
      }
      case EXECUTE -> {
        entry.put("action", "allow");
        limit(entry, EXECUTE_PER_MINUTE);
        arguments(tool, entry, notes);
      }
      case FINANCIAL -> entry.put("action", "require_approval")
          .put("reason", "It moves money, trades or goes live: a person approves each call.");
      case DESTRUCTIVE -> {
        if (approveDestructive) {
          entry.put("action", "require_approval").put("reason", "It may delete or destroy: a person approves each call.");
        } else {
          entry.put("action", "deny").put("reason", "It may delete or destroy: agents may not call it.");
        }
      }
    }
    return new Planned(tool, classification, exactKey(tool.name()), entry, notes);
  }

  private static void limit(ObjectNode entry, int perMinute) {
    entry.putArray("limits").addObject().put("max", perMinute).put("window", "minute").put("scope", "grant");
  }

  /** Sets {@code arguments} from the inputSchema when a policy can hold it; else says why not. */
  private static void arguments(ScannedTool tool, ObjectNode entry, List<String> notes) {
    JsonNode schema = tool.inputSchema();
    if (!schema.isObject()) {
      notes.add("its inputSchema is not a JSON object: arguments not set");
      return;
    }
    if (depth(schema, 0) > MAX_SCHEMA_DEPTH || CanonicalJson.of(schema).length() > MAX_SCHEMA_CHARS) {
      notes.add("its inputSchema is over " + MAX_SCHEMA_CHARS + " characters or " + MAX_SCHEMA_DEPTH + " levels: arguments not set");
      return;
    }
    try {
      ArgumentsSchema.of(schema);
    } catch (PolicyLoadException e) {
      notes.add("its inputSchema does not load as a policy's arguments: arguments not set");
      return;
    }
    JsonNode type = schema.get("type");
    if (type != null && !"object".equals(type.asText())) {
      notes.add("its inputSchema does not describe an object: every call will be refused until arguments are edited");
    }
    entry.put("description", SCHEMA_MARK + CanonicalJson.digest(schema));
    entry.set("arguments", schema.deepCopy());
  }

  private static int depth(JsonNode node, int level) {
    int deepest = level;
    if (level > MAX_SCHEMA_DEPTH) {
      return level;
    }
    for (JsonNode child : node) {
      if (child.isContainerNode()) {
        deepest = Math.max(deepest, depth(child, level + 1));
      }
    }
    return deepest;
  }

  /**
   * The entry as YAML, read back to check it; an entry that does not read back as written is
   * written with every string quoted, and then without its {@code arguments}; {@code null} when
   * even that does not read back (the name itself cannot be written).
   */
  private static String fragment(Planned planned) {
    for (ObjectMapper mapper : List.of(YAML, QUOTED_YAML, ESCAPED_YAML)) {
      String text = yaml(mapper, planned);
      if (text != null && (mapper == ESCAPED_YAML || isPlain(text)) && readsBack(text, planned)) {
        return text;
      }
    }
    if (planned.entry().has("arguments")) {
      planned.entry().remove("arguments");
      planned.entry().remove("description");
      planned.notes().add("its inputSchema does not read back from YAML as sent: arguments not set");
      String text = yaml(ESCAPED_YAML, planned);
      if (readsBack(text, planned)) {
        return text;
      }
    }
    return null;
  }

  /**
   * Whether {@code text} holds no control, format (bidi overrides, zero-width) or line-separator
   * character but the newlines between its lines: raw, such a character could end a YAML line
   * where this writer does not indent one, or hide what a reviewer reads.
   */
  private static boolean isPlain(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c >= 0x20 && c < 0x7f) || c == '\n') {
        continue;
      }
      int type = Character.getType(c);
      if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.UNASSIGNED
          || type == Character.PRIVATE_USE) {
        return false;
      }
    }
    return true;
  }

  private static String yaml(ObjectMapper mapper, Planned planned) {
    ObjectNode wrapper = JsonNodeFactory.instance.objectNode();
    wrapper.set(planned.key(), planned.entry());
    try {
      return mapper.writeValueAsString(wrapper);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static boolean readsBack(String text, Planned planned) {
    if (text == null) {
      return false;
    }
    try {
      JsonNode read = READER.readTree(text);
      return read != null && read.size() == 1 && read.has(planned.key())
          && CanonicalJson.of(read.get(planned.key())).equals(CanonicalJson.of(planned.entry()));
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  /** Loads the whole policy and checks that its keys are exactly the planned ones. */
  private static void verify(String text, List<Planned> entries) {
    PolicyView view;
    try {
      view = Policy.parse(text).view();
    } catch (PolicyLoadException e) {
      throw new ScanException("the written policy does not load: " + AgentText.excerpt(e.getMessage(), 400));
    }
    Set<String> keys = new HashSet<>();
    view.tools().forEach(entry -> keys.add(entry.key()));
    Set<String> planned = new HashSet<>();
    entries.forEach(entry -> planned.add(entry.key()));
    if (!keys.equals(planned)) {
      throw new ScanException("the written policy's keys are not the tools' names");
    }
  }
}
