/**
 * Agent side: every {@code ToolCallback} a {@code ChatClient} calls (local {@code @Tool} methods
 * and MCP client tools alike) is decided by the application's {@code PolicyEngine}; see {@link
 * io.toolgate.spring.ai.chat.ToolgateChatAutoConfiguration}.
 */
package io.toolgate.spring.ai.chat;
