/**
 * Spring AI integration: every tool of the auto-configured Spring AI MCP server ({@code mcp}) and
 * every tool a {@code ChatClient} calls ({@code chat}) is decided by the application's {@link
 * io.toolgate.engine.PolicyEngine} bean, with no code in the application.
 */
package io.toolgate.spring.ai;
