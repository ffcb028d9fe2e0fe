package io.toolgate.engine;

/**
 * A tool allowed by the policy threw a checked exception; it is the cause. Unchecked exceptions
 * and errors from a tool pass through the interceptor unwrapped.
 */
public class ToolInvocationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ToolInvocationException(String tool, Exception cause) {
    super("tool " + tool + " failed: " + cause, cause);
  }
}
