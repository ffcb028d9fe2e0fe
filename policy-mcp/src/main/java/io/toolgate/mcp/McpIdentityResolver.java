package io.toolgate.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.toolgate.api.CallContext;
import java.util.Map;
import java.util.Objects;

/**
 * Tells who is calling a tool: turns what the transport knows about a request into the {@link
 * CallContext} the policy decides on.
 *
 * <p>The input is the request's {@link McpTransportContext}, which the server's own {@code
 * McpTransportContextExtractor} builds from the HTTP request (for example after verifying a bearer
 * token), and the MCP session id ({@code exchange.sessionId()}; {@code null} on stateless servers
 * and in tool-list filters). Never the client's self-declared {@code clientInfo} and never the
 * tool's arguments: both are the agent's to write.
 *
 * <pre>{@code
 * // HTTP: the extractor verifies the token and stores the identity ...
 * HttpServletStreamableServerTransportProvider.builder()
 *     .contextExtractor(request -> McpIdentityResolver.transportContext(tokens.verify(request)))
 *     .build();
 * // ... and the default resolver reads it back:
 * McpToolGuard guard = McpToolGuard.builder(engine).identity(McpIdentityResolver.fromTransportContext()).build();
 *
 * // stdio: one configured principal for the process
 * McpToolGuard guard = McpToolGuard.builder(engine).identity(McpIdentityResolver.fixed(CallContext.of("local-agent"))).build();
 * }</pre>
 *
 * <p>A resolver must not throw; it runs on every call and every tool listing.
 */
@FunctionalInterface
public interface McpIdentityResolver {

  /**
   * The key under which {@link #fromTransportContext()} looks for the caller's {@link
   * CallContext} (or a principal id as a {@code String}) in the transport context.
   */
  String CONTEXT_KEY = "io.toolgate.identity";

  /**
   * The caller of one request.
   *
   * @param transportContext what the transport's extractor put in the request's context; {@link
   *     McpTransportContext#EMPTY} (never {@code null}) when it has nothing, as on stdio
   * @param sessionId the MCP session id, or {@code null} when there is none
   */
  CallContext resolve(McpTransportContext transportContext, String sessionId);

  /**
   * Reads the identity stored under {@link #CONTEXT_KEY}: a {@link CallContext} (its principal,
   * roles and attributes), or a {@code String} taken as the principal id. A request without one
   * is anonymous, so limits kept per grant deny it. The session id, when there is one, replaces
   * the stored context's.
   */
  static McpIdentityResolver fromTransportContext() {
    return (transportContext, sessionId) -> {
      Object stored = transportContext == null ? null : transportContext.get(CONTEXT_KEY);
      CallContext identity =
          stored instanceof CallContext context
              ? context
              : stored instanceof String principal ? CallContext.of(principal) : CallContext.anonymous();
      return sessionId == null ? identity : identity.withSession(sessionId);
    };
  }

  /**
   * Every request is {@code identity}, with the request's session id: for transports that carry
   * no identity, such as stdio, where the process that started the server is the only caller.
   */
  static McpIdentityResolver fixed(CallContext identity) {
    Objects.requireNonNull(identity, "identity");
    return (transportContext, sessionId) ->
        sessionId == null ? identity : identity.withSession(sessionId);
  }

  /**
   * This resolver, but a request it finds no principal for is {@code fallback} (with the
   * request's session id) instead of anonymous.
   */
  default McpIdentityResolver orElse(CallContext fallback) {
    Objects.requireNonNull(fallback, "fallback");
    McpIdentityResolver first = this;
    return (transportContext, sessionId) -> {
      CallContext found = first.resolve(transportContext, sessionId);
      if (found != null && found.principal() != null) {
        return found;
      }
      return sessionId == null ? fallback : fallback.withSession(sessionId);
    };
  }

  /**
   * A transport context holding {@code identity} under {@link #CONTEXT_KEY}: what a server's
   * {@code McpTransportContextExtractor} returns once it has verified who is calling.
   */
  static McpTransportContext transportContext(CallContext identity) {
    return McpTransportContext.create(Map.of(CONTEXT_KEY, Objects.requireNonNull(identity, "identity")));
  }
}
