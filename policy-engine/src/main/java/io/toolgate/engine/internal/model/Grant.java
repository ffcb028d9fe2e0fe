package io.toolgate.engine.internal.model;

import java.util.List;

/**
 * One validated grant.
 *
 * @param key the principal id or role the grant is for
 * @param pointer JSON Pointer of the grant, e.g. {@code /grants/ci-bot}
 * @param tools the grant's tool entries
 */
public record Grant(String key, String pointer, List<ToolEntry> tools) {
  public Grant {
    tools = List.copyOf(tools);
  }
}
