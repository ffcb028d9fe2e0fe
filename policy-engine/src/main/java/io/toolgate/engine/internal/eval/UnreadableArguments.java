package io.toolgate.engine.internal.eval;

/**
 * The call's arguments could not be read: {@link io.toolgate.api.ToolCall#arguments()} refused a
 * map that is not JSON. The one failure the evaluator words as "arguments could not be read";
 * any other exception is an internal error.
 */
final class UnreadableArguments extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UnreadableArguments(IllegalArgumentException cause) {
    super(cause.getMessage(), cause, false, false);
  }
}
