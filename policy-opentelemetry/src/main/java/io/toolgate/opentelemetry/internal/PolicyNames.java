package io.toolgate.opentelemetry.internal;

import io.toolgate.api.Decision;

/**
 * Whether the policy names a decision's tool by an exact key, in {@code tools} or in a grant's
 * {@code tools}: only such names go into metric attributes, so an agent sending random names
 * cannot add series (a glob's matches, and names no key matches, are {@code other}).
 */
final class PolicyNames {
  private PolicyNames() {}

  static boolean names(Decision decision) {
    String key = "/tools/" + escape(decision.tool());
    for (String matched : decision.matched()) {
      if (matched.endsWith(key) && (matched.length() == key.length() || matched.startsWith("/grants/"))) {
        return true;
      }
    }
    return false;
  }

  /** A JSON Pointer's escaping of one reference token. */
  private static String escape(String token) {
    return token.indexOf('~') < 0 && token.indexOf('/') < 0 ? token : token.replace("~", "~0").replace("/", "~1");
  }
}
