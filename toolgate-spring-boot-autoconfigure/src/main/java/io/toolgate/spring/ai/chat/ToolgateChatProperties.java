package io.toolgate.spring.ai.chat;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the guard in front of the tools a {@code ChatClient} calls ({@code toolgate.chat.*}). */
@ConfigurationProperties(prefix = "toolgate.chat")
public class ToolgateChatProperties {
  /** Whether the tools a ChatClient calls are guarded by the policy. */
  private boolean enabled = true;

  /**
   * What a refused tool call does: result returns the refusal's reason as the tool's result, so
   * the model reads it and can adapt; throw raises a PolicyViolationException out of the call.
   */
  private OnRefusal onRefusal = OnRefusal.RESULT;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public OnRefusal getOnRefusal() {
    return onRefusal;
  }

  public void setOnRefusal(OnRefusal onRefusal) {
    this.onRefusal = onRefusal;
  }

  /** What a refused tool call does. */
  public enum OnRefusal {
    /** The refusal's reason is the tool's result: the model reads it. */
    RESULT,
    /** A {@code PolicyViolationException} ends the chat call. */
    THROW
  }
}
