/**
 * Toolgate for the official MCP Java SDK.
 *
 * <ul>
 *   <li>{@link io.toolgate.mcp.McpToolGuard}: guards a server's tool specifications (sync, async,
 *       stateless) so that every {@code tools/call} goes through a {@link
 *       io.toolgate.engine.PolicyEngine}, and filters {@code tools/list} per caller.
 *   <li>{@link io.toolgate.mcp.McpIdentityResolver}: who is calling, from what the transport
 *       verified (never from {@code clientInfo} or arguments), plus the MCP session id.
 *   <li>{@link io.toolgate.mcp.McpSessionOwners} and {@link io.toolgate.mcp.McpSessionFilter}:
 *       each MCP session serves only the principal that opened it.
 *   <li>{@link io.toolgate.mcp.PolicyClientTransport}: the same policy on a client's outgoing
 *       {@code tools/call} requests, before they leave the process.
 * </ul>
 */
package io.toolgate.mcp;
