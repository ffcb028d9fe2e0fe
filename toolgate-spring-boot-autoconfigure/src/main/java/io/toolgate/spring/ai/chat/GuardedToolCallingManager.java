package io.toolgate.spring.ai.chat;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * A {@link ToolCallingManager} whose tool calls go through the policy: before the delegate runs
 * the calls a model asked for, every {@link ToolCallback} of the prompt's options (the tools a
 * {@code ChatClient} resolved: {@code @Tool} methods, MCP client tools, named tools) is replaced by
 * its {@link GuardedToolCallback}. Chat models run their tool calls through the application's
 * {@code ToolCallingManager} bean, so guarding that bean guards them all.
 */
public final class GuardedToolCallingManager implements ToolCallingManager {
  private final ToolCallingManager delegate;
  private final UnaryOperator<ToolCallback> guard;

  /** @param guard wraps one callback; returns it unchanged when it is already guarded */
  public GuardedToolCallingManager(ToolCallingManager delegate, UnaryOperator<ToolCallback> guard) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.guard = Objects.requireNonNull(guard, "guard");
  }

  /** The manager this one guards. */
  public ToolCallingManager delegate() {
    return delegate;
  }

  @Override
  public List<ToolDefinition> resolveToolDefinitions(ToolCallingChatOptions chatOptions) {
    return delegate.resolveToolDefinitions(chatOptions);
  }

  @Override
  public ToolExecutionResult executeToolCalls(Prompt prompt, ChatResponse chatResponse) {
    return delegate.executeToolCalls(guarded(prompt), chatResponse);
  }

  private Prompt guarded(Prompt prompt) {
    if (!(prompt.getOptions() instanceof ToolCallingChatOptions options)
        || options.getToolCallbacks() == null
        || options.getToolCallbacks().isEmpty()) {
      return prompt;
    }
    List<ToolCallback> callbacks = options.getToolCallbacks().stream().map(guard).toList();
    ToolCallingChatOptions copy = options.mutate().toolCallbacks(callbacks).build();
    return prompt.mutate().chatOptions(copy).build();
  }
}
