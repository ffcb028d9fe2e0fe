package io.toolgate.spring.ai.internal;

import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.toolgate.mcp.McpToolGuard;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Guards every tool specification the application context holds: Spring AI's MCP server
 * auto-configuration collects its tools from beans of type {@code List<...ToolSpecification>}
 * (from {@code @McpTool} methods, {@code ToolCallback}s and the application's own lists), so each
 * such list is replaced by the same tools wrapped by {@link McpToolGuard}, before any server sees
 * them. Sync, async, stateful and stateless specifications alike; the transport does not matter.
 */
public final class ToolSpecificationGuard implements BeanPostProcessor {
  private final Supplier<McpGuards> guards;

  /** @param guards the guards, asked for when the first tool list is seen */
  public ToolSpecificationGuard(Supplier<McpGuards> guards) {
    this.guards = guards;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!(bean instanceof List<?> list) || list.isEmpty()) {
      return bean;
    }
    Object first = list.get(0);
    if (first instanceof McpServerFeatures.SyncToolSpecification) {
      return guarded(list, McpServerFeatures.SyncToolSpecification.class, g -> g::guard);
    }
    if (first instanceof McpServerFeatures.AsyncToolSpecification) {
      return guarded(list, McpServerFeatures.AsyncToolSpecification.class, g -> g::guard);
    }
    if (first instanceof McpStatelessServerFeatures.SyncToolSpecification) {
      return guarded(list, McpStatelessServerFeatures.SyncToolSpecification.class, g -> g::guard);
    }
    if (first instanceof McpStatelessServerFeatures.AsyncToolSpecification) {
      return guarded(list, McpStatelessServerFeatures.AsyncToolSpecification.class, g -> g::guard);
    }
    return bean;
  }

  private <T> Object guarded(List<?> list, Class<T> type, Function<McpToolGuard, Function<T, T>> wrapper) {
    McpToolGuard guard = guards.get().guard();
    if (guard == null || !list.stream().allMatch(type::isInstance)) {
      return list;
    }
    Function<T, T> wrap = wrapper.apply(guard);
    return list.stream().map(type::cast).map(wrap).toList();
  }
}
