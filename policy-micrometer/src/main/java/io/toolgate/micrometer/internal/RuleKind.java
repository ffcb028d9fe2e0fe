package io.toolgate.micrometer.internal;

import io.toolgate.api.Decision.Rules;

/**
 * The kind of rule that decided a call: the {@code rule} tag of {@code toolgate.decisions}. A
 * decision's {@link io.toolgate.api.Decision#rule()} is a JSON Pointer into the policy or one of
 * the names in {@link Rules}; its kind is read from it without allocating.
 */
public enum RuleKind {
  /** A tool entry itself: its action (allow, deny, require_approval) decided. */
  ENTRY("entry"),
  /** One of an entry's limits ({@code limits/N} or {@code rate_limit}). */
  LIMIT("limit"),
  /** One of an entry's conditions. */
  CONDITION("condition"),
  /** An entry's argument schema, or arguments that could not be read. */
  ARGUMENTS("arguments"),
  /** The policy's {@code default}. */
  DEFAULT("default"),
  /** The {@code hide} list. */
  HIDE("hide"),
  /** The counter store failed and the call was refused. */
  STORE("store"),
  /** The counter store failed and the call was allowed (fail open). */
  FAIL_OPEN("fail-open"),
  /** The engine failed while deciding. */
  ERROR("error"),
  /** The MCP adapter refused a session another principal opened. */
  SESSION("session"),
  /** Any rule not named above. */
  OTHER("other");

  private static final String TOOLS = "/tools/";
  private static final String GRANTS = "/grants/";

  private final String tag;

  RuleKind(String tag) {
    this.tag = tag;
  }

  /** The tag value, e.g. {@code fail-open}. */
  public String tag() {
    return tag;
  }

  /** The kind of {@code rule}, a decision's {@link io.toolgate.api.Decision#rule()}. */
  public static RuleKind of(String rule) {
    if (rule == null || rule.isEmpty()) {
      return OTHER;
    }
    if (rule.charAt(0) != '/') {
      return named(rule);
    }
    if (rule.equals(Rules.DEFAULT)) {
      return DEFAULT;
    }
    if (rule.equals(Rules.HIDE) || rule.startsWith(Rules.HIDE + "/")) {
      return HIDE;
    }
    int tools = 0;
    if (rule.startsWith(GRANTS)) {
      tools = rule.indexOf('/', GRANTS.length()); // after the grant's key (a '/' in it is "~1")
      if (tools < 0) {
        return OTHER;
      }
    }
    if (!rule.startsWith(TOOLS, tools)) {
      return OTHER;
    }
    int afterKey = rule.indexOf('/', tools + TOOLS.length());
    if (afterKey < 0) {
      return ENTRY;
    }
    if (rule.startsWith("/limits/", afterKey) || rule.startsWith("/rate_limit", afterKey)) {
      return LIMIT;
    }
    if (rule.startsWith("/conditions/", afterKey)) {
      return CONDITION;
    }
    if (rule.startsWith("/arguments", afterKey)) {
      return ARGUMENTS;
    }
    if (rule.startsWith("/when/", afterKey)) {
      return ENTRY;
    }
    return OTHER;
  }

  private static RuleKind named(String rule) {
    return switch (rule) {
      case Rules.STORE -> STORE;
      case Rules.FAIL_OPEN -> FAIL_OPEN;
      case Rules.ERROR -> ERROR;
      case Rules.ARGUMENTS -> ARGUMENTS;
      case Rules.SESSION -> SESSION;
      default -> OTHER;
    };
  }
}
