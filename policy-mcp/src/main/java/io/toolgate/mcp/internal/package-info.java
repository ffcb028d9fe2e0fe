/**
 * The MCP adapter's parts, not an API: how a refused call is told to the agent ({@link
 * io.toolgate.mcp.internal.Refusals}).
 */
package io.toolgate.mcp.internal;
