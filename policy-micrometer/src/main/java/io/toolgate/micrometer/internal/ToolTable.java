package io.toolgate.micrometer.internal;

import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyView;
import io.toolgate.engine.ToolGlob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which {@code tool} tag a call gets, and its meters. The tag is the call's tool name when the
 * policy in force names it (a key of {@code tools}, of a grant's {@code tools}, or an element of
 * {@code hide}) or when one of those that is a glob matches it; otherwise {@link #OTHER}. Names
 * that only a glob matches are agent-chosen and unbounded, so at most {@code maxGlobbed} distinct
 * ones get a tag of their own over the table's life; later ones are {@link #OTHER}.
 *
 * <p>The policy's names are read once per policy (a reload is noticed by identity); a name is then
 * looked up in a map keyed by the call's own string, so no string is built per call.
 */
public final class ToolTable {
  /** The tag of every call whose tool the policy does not name. */
  public static final String OTHER = "other";

  private final Meters meters;
  private final int maxGlobbed;
  private final ConcurrentHashMap<String, ToolMeters> byTag = new ConcurrentHashMap<>();
  private final Set<String> globbed = ConcurrentHashMap.newKeySet();
  private final ToolMeters other;
  private volatile ForPolicy current;

  public ToolTable(Meters meters, int maxGlobbed) {
    this.meters = meters;
    this.maxGlobbed = maxGlobbed;
    this.other = meters(OTHER);
    this.current = new ForPolicy(null, Map.of(), new ToolGlob[0]);
  }

  /** The meters for a call of {@code tool} under {@code policy} ({@code null}: none known, so {@link #OTHER}). */
  public ToolMeters lookup(Policy policy, String tool) {
    ForPolicy table = current;
    if (table.policy != policy) {
      table = retag(policy);
    }
    return table.lookup(tool);
  }

  /** How many distinct names a glob gave a tag of their own. */
  public int globbedNames() {
    return globbed.size();
  }

  private synchronized ForPolicy retag(Policy policy) {
    ForPolicy table = current;
    if (table.policy == policy) {
      return table;
    }
    Map<String, ToolMeters> exact = new HashMap<>();
    Map<String, ToolGlob> globs = new LinkedHashMap<>();
    if (policy != null) {
      PolicyView view = policy.view();
      List<String> keys = new ArrayList<>();
      view.hide().forEach(h -> keys.add(h.pattern()));
      view.entries().forEach(e -> keys.add(e.key()));
      for (String key : keys) {
        if (ToolGlob.isGlob(key)) {
          globs.computeIfAbsent(key, ToolGlob::compile);
        } else {
          exact.put(key, meters(key));
        }
      }
    }
    table = new ForPolicy(policy, exact, globs.values().toArray(ToolGlob[]::new));
    current = table;
    return table;
  }

  private ToolMeters meters(String tag) {
    return byTag.computeIfAbsent(tag, t -> new ToolMeters(t, meters));
  }

  /** A name a glob matched: its own tag while fewer than {@code maxGlobbed} names have one. */
  private ToolMeters admit(String tool) {
    if (!globbed.contains(tool)) {
      if (globbed.size() >= maxGlobbed) {
        return other;
      }
      synchronized (globbed) {
        if (!globbed.contains(tool)) {
          if (globbed.size() >= maxGlobbed) {
            return other;
          }
          globbed.add(tool);
        }
      }
    }
    return meters(tool);
  }

  /** One policy's names. */
  private final class ForPolicy {
    final Policy policy;
    final Map<String, ToolMeters> exact;
    final ToolGlob[] globs;
    /** Names this policy's globs matched that have a tag of their own; bounded by {@code maxGlobbed}. */
    final ConcurrentHashMap<String, ToolMeters> matched = new ConcurrentHashMap<>();

    ForPolicy(Policy policy, Map<String, ToolMeters> exact, ToolGlob[] globs) {
      this.policy = policy;
      this.exact = exact;
      this.globs = globs;
    }

    ToolMeters lookup(String tool) {
      ToolMeters found = exact.get(tool);
      if (found != null) {
        return found;
      }
      if (globs.length == 0) {
        return other;
      }
      found = matched.get(tool);
      if (found != null) {
        return found;
      }
      for (ToolGlob glob : globs) {
        if (glob.matches(tool)) {
          ToolMeters admitted = admit(tool);
          if (admitted != other) {
            matched.put(tool, admitted);
          }
          return admitted;
        }
      }
      return other;
    }
  }
}
