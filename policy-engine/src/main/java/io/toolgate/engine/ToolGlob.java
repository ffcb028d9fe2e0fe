package io.toolgate.engine;

import io.toolgate.engine.internal.model.Glob;

/**
 * A tool-name glob as policies write them: {@code *} matches any run of characters, {@code ?} any
 * one character, {@code [abc]} one of the listed characters and {@code [a-z]} one in the range;
 * every other character matches itself. Immutable.
 */
public final class ToolGlob {
  private final Glob glob;

  private ToolGlob(Glob glob) {
    this.glob = glob;
  }

  /** Whether {@code key} uses any glob syntax; a key without it matches only itself. */
  public static boolean isGlob(String key) {
    return Glob.isGlob(key);
  }

  /**
   * Compiles {@code pattern}.
   *
   * @throws IllegalArgumentException if it is malformed (an unclosed {@code [} or an empty class)
   */
  public static ToolGlob compile(String pattern) {
    return new ToolGlob(Glob.compile(pattern));
  }

  /** Whether {@code name} matches, exactly, with no normalisation. */
  public boolean matches(String name) {
    return glob.matches(name);
  }

  /** The pattern as written. */
  public String pattern() {
    return glob.pattern();
  }

  @Override
  public String toString() {
    return glob.pattern();
  }
}
