package io.toolgate.scenarios;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which rules of which policies decided at least one call, and which never did: the policy
 * counterpart of line coverage. An immutable snapshot of a {@link Coverage}.
 *
 * <p>A rule counts as having decided a call when:
 *
 * <ul>
 *   <li>an <b>entry</b> ({@code /tools/x}, {@code /grants/g/tools/x}) allowed the call, denied
 *       it, held it for approval, or one of its own checks refused it;
 *   <li>a <b>grant</b> ({@code /grants/g}) had one of its entries decide a call;
 *   <li>an <b>arguments</b> schema, a <b>condition</b> or a <b>limit</b> refused the call (a limit
 *       that never rate-limited anything was never shown to bite);
 *   <li>a <b>when</b> clause failed, so that its entry did not apply;
 *   <li>a <b>hide</b> element hid the call, and <b>/default</b> decided a call no entry permits.
 * </ul>
 *
 * @param items every rule of every policy seen, in document order per policy
 */
public record CoverageReport(List<Item> items) {
  public CoverageReport {
    items = List.copyOf(items);
  }

  /**
   * One rule of one policy.
   *
   * @param policy the policy's file, resource or scenario name
   * @param pointer JSON Pointer of the rule, e.g. {@code /tools/create_compile/limits/0}
   * @param kind what the rule is: {@code default}, {@code hide}, {@code allow entry}, {@code deny
   *     entry}, {@code approval entry}, {@code grant}, {@code arguments}, {@code condition},
   *     {@code when} or {@code limit}
   * @param decided how many calls it decided
   */
  public record Item(String policy, String pointer, String kind, long decided) {
    public Item {
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(pointer, "pointer");
      Objects.requireNonNull(kind, "kind");
    }

    /** Whether the rule decided at least one call. */
    public boolean covered() {
      return decided > 0;
    }
  }

  /** The rules that decided at least one call. */
  public List<Item> covered() {
    return items.stream().filter(Item::covered).collect(Collectors.toList());
  }

  /** The rules that never decided a call. */
  public List<Item> uncovered() {
    return items.stream().filter(i -> !i.covered()).collect(Collectors.toList());
  }

  /** Covered rules as a percentage of all rules; 100 when there are no rules. */
  public double percent() {
    return items.isEmpty() ? 100.0 : 100.0 * covered().size() / items.size();
  }

  /** The rule at {@code pointer} of the only policy, or of any policy; {@code null} if none. */
  public Item item(String pointer) {
    return items.stream().filter(i -> i.pointer().equals(pointer)).findFirst().orElse(null);
  }

  /**
   * The report as text: per policy, one line per rule ({@code decided N} or {@code never}), then
   * a total line {@code coverage: C of N rules decided at least one call (P%)}.
   */
  public String render() {
    Map<String, List<Item>> byPolicy = new LinkedHashMap<>();
    for (Item item : items) {
      byPolicy.computeIfAbsent(item.policy(), k -> new ArrayList<>()).add(item);
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<Item>> policy : byPolicy.entrySet()) {
      List<Item> rules = policy.getValue();
      long covered = rules.stream().filter(Item::covered).count();
      out.append(policy.getKey()).append(": ").append(covered).append(" of ").append(rules.size())
          .append(" rules decided a call").append('\n');
      int width = rules.stream().mapToInt(i -> i.pointer().length()).max().orElse(1);
      for (Item item : rules) {
        String count = item.covered() ? "decided " + item.decided() : "never";
        out.append(String.format(Locale.ROOT, "  %-12s %-" + width + "s  %s%n", count, item.pointer(), item.kind()));
      }
    }
    out.append(String.format(Locale.ROOT, "coverage: %d of %d rules decided at least one call (%.1f%%)%n",
        covered().size(), items.size(), percent()));
    return out.toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
