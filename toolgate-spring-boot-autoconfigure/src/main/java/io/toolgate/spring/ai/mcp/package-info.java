/**
 * The Spring AI MCP server, guarded: {@link io.toolgate.spring.ai.mcp.ToolgateMcpServerAutoConfiguration}
 * puts the application's {@code PolicyEngine} in front of every tool of the auto-configured server
 * and filters {@code tools/list} per caller, with the caller taken from Spring Security.
 */
package io.toolgate.spring.ai.mcp;
