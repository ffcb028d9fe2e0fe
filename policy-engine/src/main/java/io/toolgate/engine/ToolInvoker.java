package io.toolgate.engine;

/**
 * Runs the tool once the policy allowed the call. It may throw anything; a throw counts as the
 * tool failing (limits with {@code refund_on_error} give their cost back).
 *
 * @param <R> the tool's result
 */
@FunctionalInterface
public interface ToolInvoker<R> {
  R invoke() throws Exception;
}
