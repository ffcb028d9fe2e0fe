package io.toolgate.spring.ai.internal;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.spec.McpSchema.ListToolsResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.api.CallContext;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.mcp.McpToolGuard;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.util.function.SingletonSupplier;

/**
 * The one {@link McpToolGuard} of the application's MCP server, built on first use from the
 * application's {@link PolicyEngine} bean (none: nothing is guarded) and its {@link
 * McpSessionOwners} bean (the one the session filter fills; none: the guard keeps its own), and the
 * {@code tools/list} filter that asks the same engine about the same caller.
 */
public final class McpGuards {
  private final Supplier<PolicyEngine> engine;
  private final McpIdentityResolver identity;
  private final SingletonSupplier<McpSessionOwners> sessionOwners;
  private final SingletonSupplier<McpToolGuard> guard;

  /** As {@link #McpGuards(Supplier, McpIdentityResolver, boolean, Supplier)}, the guard keeping its own owners. */
  public McpGuards(Supplier<PolicyEngine> engine, McpIdentityResolver fallback, boolean refusalsAsErrors) {
    this(engine, fallback, refusalsAsErrors, () -> null);
  }

  /**
   * @param engine the engine, or {@code null} from the supplier when the application has none
   * @param fallback the application's resolver, asked when the request carries no authenticated
   *     caller; {@code null} for anonymous
   * @param sessionOwners who opened each session, or {@code null} from the supplier for the guard's
   *     own (a session then belongs to the first principal that calls a tool in it)
   */
  public McpGuards(
      Supplier<PolicyEngine> engine,
      McpIdentityResolver fallback,
      boolean refusalsAsErrors,
      Supplier<McpSessionOwners> sessionOwners) {
    this.engine = SingletonSupplier.of(engine);
    this.identity = identity(fallback);
    this.sessionOwners = SingletonSupplier.ofNullable(sessionOwners);
    this.guard =
        SingletonSupplier.ofNullable(
            () -> {
              PolicyEngine found = this.engine.get();
              if (found == null) {
                return null;
              }
              McpToolGuard.Builder builder =
                  McpToolGuard.builder(found).identity(identity).refusalsAsErrors(refusalsAsErrors);
              McpSessionOwners owners = this.sessionOwners.get();
              if (owners != null) {
                builder.sessionOwners(owners);
              }
              return builder.build();
            });
  }

  /** The session owners the guard shares, or {@code null} when it keeps its own. */
  public McpSessionOwners sessionOwners() {
    return sessionOwners.get();
  }

  /** The caller of a request: the authenticated one in the transport context, else {@code fallback}'s. */
  public static McpIdentityResolver identity(McpIdentityResolver fallback) {
    McpIdentityResolver stored = McpIdentityResolver.fromTransportContext();
    if (fallback == null) {
      return stored;
    }
    return (transportContext, sessionId) -> {
      CallContext found = stored.resolve(transportContext, sessionId);
      if (found.principal() != null) {
        return found;
      }
      CallContext resolved = fallback.resolve(transportContext, sessionId);
      return resolved != null ? resolved : found;
    };
  }

  /** The guard, or {@code null} when the application has no engine. */
  public McpToolGuard guard() {
    return guard.get();
  }

  /** {@code result} with only the tools the caller in {@code transportContext} may see. */
  public ListToolsResult filter(ListToolsResult result, McpTransportContext transportContext) {
    PolicyEngine found = engine.get();
    if (found == null || result.tools() == null) {
      return result;
    }
    CallContext caller =
        identity.resolve(transportContext == null ? McpTransportContext.EMPTY : transportContext, null);
    List<Tool> listed = result.tools().stream().filter(tool -> found.isListed(tool.name(), caller)).toList();
    if (listed.size() == result.tools().size()) {
      return result;
    }
    return new ListToolsResult(listed, result.nextCursor(), result.meta());
  }
}
