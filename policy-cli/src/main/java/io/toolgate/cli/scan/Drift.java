package io.toolgate.cli.scan;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.AgentText;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyView;
import io.toolgate.engine.ToolGlob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The drift between a policy and the tools a server lists now, for CI:
 *
 * <ul>
 *   <li><b>added</b>: a tool no key of the policy matches (no exact key, no glob, in {@code tools},
 *       a grant's {@code tools} or {@code hide});
 *   <li><b>removed</b>: an exact key (top level, grant or {@code hide}) naming no listed tool;
 *   <li><b>changed</b>: an entry whose {@code arguments} were taken from a tool's inputSchema that
 *       has changed since. An entry the scan wrote says so in its {@code description} ({@link
 *       ScanPolicyWriter#SCHEMA_MARK} and the schema's digest), so its arguments may be edited
 *       freely; any other entry with {@code arguments} is compared with the inputSchema itself,
 *       canonically (key order and number spelling aside).
 * </ul>
 *
 * Each finding is one line; tool names in it are {@link AgentText#excerpt excerpts}.
 */
public final class Drift {
  private Drift() {}

  /**
   * The findings, in the order added, removed, changed; empty when there is no drift.
   *
   * @param inScope which tool names to look at (the scan's {@code --only} and {@code --exclude})
   */
  public static List<String> find(Policy policy, List<ScannedTool> listed, Predicate<String> inScope) {
    PolicyView view = policy.view();
    Map<String, ScannedTool> tools = new LinkedHashMap<>();
    listed.stream().filter(t -> inScope.test(t.name())).forEach(t -> tools.putIfAbsent(t.name(), t));
    // Exact keys (plain, or written by the scan with escaped glob characters) in a set; only real
    // globs are matched name by name, so a large policy against a large server stays fast.
    Set<String> exact = new HashSet<>();
    List<ToolGlob> globs = new ArrayList<>();
    List<String> patterns = new ArrayList<>();
    view.entries().forEach(e -> patterns.add(e.key()));
    view.hide().forEach(h -> patterns.add(h.pattern()));
    for (String pattern : patterns) {
      String name = ScanPolicyWriter.exactName(pattern);
      if (name != null) {
        exact.add(name);
      } else {
        globs.add(ToolGlob.compile(pattern));
      }
    }

    List<String> added = new ArrayList<>();
    for (ScannedTool tool : tools.values()) {
      if (!exact.contains(tool.name()) && globs.stream().noneMatch(g -> g.matches(tool.name()))) {
        added.add("added: " + AgentText.excerpt(tool.name()) + " is not in the policy (the scan classes it "
            + RiskClassifier.classify(tool).risk().label() + ")");
      }
    }
    Set<String> removed = new LinkedHashSet<>();
    for (PolicyView.Entry entry : view.entries()) {
      removed(entry.key(), entry.pointer(), tools, inScope, removed);
    }
    for (PolicyView.Hide hide : view.hide()) {
      removed(hide.pattern(), hide.pointer(), tools, inScope, removed);
    }
    JsonNode document = policy.document();
    List<String> changed = new ArrayList<>();
    for (PolicyView.Entry entry : view.entries()) {
      String name = ScanPolicyWriter.exactName(entry.key());
      ScannedTool tool = name == null ? null : tools.get(name);
      if (tool == null || entry.arguments() == null) {
        continue;
      }
      String recorded = recordedDigest(document.at(entry.pointer() + "/description"));
      String now = CanonicalJson.digest(tool.inputSchema());
      if (recorded != null && !recorded.equals(now)) {
        changed.add("changed: " + AgentText.excerpt(name) + " has a new inputSchema since its arguments were taken ("
            + AgentText.excerpt(entry.pointer()) + ": " + shortDigest(recorded) + " then, " + shortDigest(now) + " now)");
      } else if (recorded == null
          && !CanonicalJson.of(entry.arguments().schema()).equals(CanonicalJson.of(tool.inputSchema()))) {
        changed.add("changed: " + AgentText.excerpt(name) + " has an inputSchema that differs from its arguments ("
            + AgentText.excerpt(entry.pointer()) + "/arguments)");
      }
    }
    List<String> all = new ArrayList<>(added);
    all.addAll(removed);
    all.addAll(changed);
    return List.copyOf(all);
  }

  private static void removed(String key, String pointer, Map<String, ScannedTool> tools, Predicate<String> inScope, Set<String> out) {
    String name = ScanPolicyWriter.exactName(key);
    if (name != null && inScope.test(name) && !tools.containsKey(name)) {
      out.add("removed: " + AgentText.excerpt(name) + " is no longer listed by the server (" + AgentText.excerpt(pointer) + ")");
    }
  }

  /** The digest a scan recorded in an entry's description, or {@code null}. */
  private static String recordedDigest(JsonNode description) {
    if (description == null || !description.isTextual() || !description.textValue().startsWith(ScanPolicyWriter.SCHEMA_MARK)) {
      return null;
    }
    String digest = description.textValue().substring(ScanPolicyWriter.SCHEMA_MARK.length()).strip();
    return digest.matches("sha256:[0-9a-f]{64}") ? digest : null;
  }

  private static String shortDigest(String digest) {
    return digest.substring(0, "sha256:".length() + 12);
  }
}
