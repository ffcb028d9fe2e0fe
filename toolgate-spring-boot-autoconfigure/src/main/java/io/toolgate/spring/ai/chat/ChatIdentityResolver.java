package io.toolgate.spring.ai.chat;

import io.toolgate.api.CallContext;
import org.springframework.ai.chat.model.ToolContext;

/**
 * Who an agent's tool call is made for. The default is the Spring Security principal of the
 * thread that runs the tool (name and roles as on the server side), else anonymous; define a bean
 * of this type to say otherwise, for example from the {@link ToolContext} the application passes
 * with its prompt. Never from the tool's arguments: the model writes those.
 */
@FunctionalInterface
public interface ChatIdentityResolver {

  /**
   * The caller of one tool call.
   *
   * @param toolContext the prompt's tool context, or {@code null} when there is none
   * @return the caller; never {@code null} ({@link CallContext#anonymous()} for nobody)
   */
  CallContext resolve(ToolContext toolContext);
}
