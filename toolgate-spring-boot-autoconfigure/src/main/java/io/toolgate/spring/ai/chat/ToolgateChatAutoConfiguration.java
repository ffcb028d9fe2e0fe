package io.toolgate.spring.ai.chat;

import io.toolgate.api.CallContext;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.spring.ai.ToolgateIdentityProperties;
import io.toolgate.spring.ai.internal.ChatGuards;
import io.toolgate.spring.ai.internal.SecurityIdentity;
import java.util.Objects;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Agent side: every tool a {@code ChatClient} calls goes through the application's {@link
 * PolicyEngine} bean. Chat models run the tool calls a model asks for through the {@link
 * ToolCallingManager} bean; that bean (and any {@code ToolCallbackResolver} bean) is wrapped so
 * that each {@code ToolCallback} (local {@code @Tool} methods and MCP client tools alike) is a
 * {@link GuardedToolCallback}. A refused call's reason becomes the tool's result, or a {@code
 * PolicyViolationException} with {@code toolgate.chat.on-refusal=throw}. The caller comes from a
 * {@link ChatIdentityResolver} bean; by default the Spring Security principal of the calling
 * thread, else anonymous.
 */
@AutoConfiguration
@ConditionalOnClass({ToolCallingManager.class, PolicyEngine.class})
@ConditionalOnBooleanProperty(name = "toolgate.chat.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ToolgateChatProperties.class, ToolgateIdentityProperties.class})
public class ToolgateChatAutoConfiguration {

  /** The default caller: the current Spring Security principal, else anonymous. */
  @Bean
  @ConditionalOnMissingBean
  ChatIdentityResolver toolgateChatIdentityResolver(ToolgateIdentityProperties identity) {
    SecurityIdentity security = new SecurityIdentity(identity.getRolePrefixes());
    return toolContext -> Objects.requireNonNullElseGet(security.current(), CallContext::anonymous);
  }

  /** Wraps the tool-calling manager and tool resolvers; every lookup is deferred to first use. */
  @Bean
  static ChatGuards toolgateChatGuards(
      ObjectProvider<PolicyEngine> engine,
      ObjectProvider<ChatIdentityResolver> identity,
      ObjectProvider<ToolgateChatProperties> properties) {
    return new ChatGuards(
        engine::getIfAvailable, identity::getObject, () -> properties.getIfAvailable(ToolgateChatProperties::new));
  }
}
