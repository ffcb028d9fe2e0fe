package io.toolgate.engine.internal.model;

/**
 * One {@code hide} element.
 *
 * @param pattern a tool name or glob
 * @param pointer JSON Pointer of the element, e.g. {@code /hide/0}
 */
public record HideRule(String pattern, String pointer) {}
