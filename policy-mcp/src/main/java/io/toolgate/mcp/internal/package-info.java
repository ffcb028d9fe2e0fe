/**
 * The MCP adapter's parts, not an API: how a refused call is told to the agent ({@link
 * io.toolgate.mcp.internal.Refusals}), the interceptor behind the guard's handlers ({@link
 * io.toolgate.mcp.internal.GuardedCalls}), and what a held call does ({@link
 * io.toolgate.mcp.internal.HeldCall}, cancelled through a {@link io.toolgate.mcp.internal.CancelSlot}).
 */
package io.toolgate.mcp.internal;
