package io.toolgate.engine.internal.model;

import java.util.List;

/**
 * A policy document after every check passed: the loader's output and the compiler's input.
 * Lists keep the document's order; nothing downstream may depend on it.
 *
 * @param defaultAllow whether {@code default} is {@code allow}
 * @param description the description, or {@code null}
 * @param hide the hidden names and globs
 * @param tools the top-level tool entries
 * @param grants the grants
 */
public record PolicyModel(
    boolean defaultAllow,
    String description,
    List<HideRule> hide,
    List<ToolEntry> tools,
    List<Grant> grants) {
  public PolicyModel {
    hide = List.copyOf(hide);
    tools = List.copyOf(tools);
    grants = List.copyOf(grants);
  }
}
