package io.toolgate.spring.ai.internal;

import io.toolgate.engine.PolicyEngine;
import io.toolgate.spring.ai.chat.ChatIdentityResolver;
import io.toolgate.spring.ai.chat.GuardedToolCallback;
import io.toolgate.spring.ai.chat.GuardedToolCallingManager;
import io.toolgate.spring.ai.chat.ToolgateChatProperties;
import java.util.function.Supplier;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.resolution.ToolCallbackResolver;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Guards the application's {@link ToolCallingManager} beans (the ones chat models run tool calls
 * with) and {@link ToolCallbackResolver} beans (tools found by name): each is replaced by one whose
 * callbacks are {@link GuardedToolCallback}s. Nothing is guarded when the application has no
 * {@link PolicyEngine} bean.
 */
public final class ChatGuards implements BeanPostProcessor {
  private final Supplier<PolicyEngine> engine;
  private final Supplier<ChatIdentityResolver> identity;
  private final Supplier<ToolgateChatProperties> properties;

  public ChatGuards(
      Supplier<PolicyEngine> engine,
      Supplier<ChatIdentityResolver> identity,
      Supplier<ToolgateChatProperties> properties) {
    this.engine = engine;
    this.identity = identity;
    this.properties = properties;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof ToolCallingManager manager && !(bean instanceof GuardedToolCallingManager)) {
      PolicyEngine found = engine.get();
      return found == null ? bean : new GuardedToolCallingManager(manager, callback -> guard(callback, found));
    }
    if (bean instanceof ToolCallbackResolver resolver && !(bean instanceof GuardedResolver)) {
      PolicyEngine found = engine.get();
      return found == null ? bean : new GuardedResolver(resolver, this, found);
    }
    return bean;
  }

  ToolCallback guard(ToolCallback callback, PolicyEngine found) {
    if (callback == null || callback instanceof GuardedToolCallback) {
      return callback;
    }
    return new GuardedToolCallback(callback, found, identity.get(), properties.get().getOnRefusal());
  }

  /** A resolver whose callbacks are guarded. */
  private record GuardedResolver(ToolCallbackResolver delegate, ChatGuards guards, PolicyEngine engine)
      implements ToolCallbackResolver {
    @Override
    public ToolCallback resolve(String toolName) {
      return guards.guard(delegate.resolve(toolName), engine);
    }
  }
}
