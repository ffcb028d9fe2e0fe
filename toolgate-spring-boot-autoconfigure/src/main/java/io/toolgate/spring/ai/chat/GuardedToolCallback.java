package io.toolgate.spring.ai.chat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.toolgate.api.Decision;
import io.toolgate.api.PolicyViolationException;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.util.Objects;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.metadata.ToolMetadata;

/**
 * A {@link ToolCallback} that runs only if the policy allows the call: the tool's name and its
 * JSON input (the model's arguments) are decided by the engine, counted and audited. A refused
 * call returns the decision's reason as the tool's result, for the model to read, or throws a
 * {@link PolicyViolationException} ({@link ToolgateChatProperties.OnRefusal}).
 *
 * <p>Input that is not JSON, or deeper or longer than the read limits, is kept as a JSON string:
 * every rule that reads arguments then refuses it.
 */
public final class GuardedToolCallback implements ToolCallback {
  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(64)
                      .maxStringLength(1 << 20)
                      .maxDocumentLength(8L << 20)
                      .build())
              .build());

  private final ToolCallback delegate;
  private final PolicyEngine engine;
  private final ChatIdentityResolver identity;
  private final boolean throwOnRefusal;

  public GuardedToolCallback(
      ToolCallback delegate, PolicyEngine engine, ChatIdentityResolver identity, ToolgateChatProperties.OnRefusal onRefusal) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.throwOnRefusal = onRefusal == ToolgateChatProperties.OnRefusal.THROW;
  }

  /** The callback this one guards. */
  public ToolCallback delegate() {
    return delegate;
  }

  @Override
  public ToolDefinition getToolDefinition() {
    return delegate.getToolDefinition();
  }

  @Override
  public ToolMetadata getToolMetadata() {
    return delegate.getToolMetadata();
  }

  @Override
  public String call(String toolInput) {
    return call(toolInput, null);
  }

  @Override
  public String call(String toolInput, ToolContext toolContext) {
    ToolCall call = ToolCall.of(getToolDefinition().name(), arguments(toolInput));
    return engine.call(
        call,
        Objects.requireNonNullElseGet(identity.resolve(toolContext), io.toolgate.api.CallContext::anonymous),
        () -> toolContext == null ? delegate.call(toolInput) : delegate.call(toolInput, toolContext),
        this::refused);
  }

  private String refused(Decision decision) {
    if (throwOnRefusal) {
      throw new PolicyViolationException(decision);
    }
    return decision.reason();
  }

  /** The model's arguments as JSON; anything unreadable as a JSON string that no rule accepts. */
  static JsonNode arguments(String toolInput) {
    if (toolInput == null || toolInput.isBlank()) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(toolInput);
      return node == null || node.isMissingNode() ? JsonNodeFactory.instance.textNode(toolInput) : node;
    } catch (java.io.IOException | RuntimeException e) {
      return JsonNodeFactory.instance.textNode(toolInput);
    }
  }

  @Override
  public String toString() {
    return "GuardedToolCallback[" + delegate + "]";
  }
}
