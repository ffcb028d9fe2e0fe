/**
 * A QuantConnect-like MCP server guarded by Toolgate: {@link
 * io.toolgate.examples.mcpserver.QuantConnectServer} (embedded Tomcat, streamable HTTP), its tools,
 * the bearer-token and origin filters in front of the transport, and the token file naming each
 * caller.
 */
package io.toolgate.examples.mcpserver;
