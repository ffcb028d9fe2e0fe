/**
 * {@code policy-gateway}: puts a policy in front of any MCP server, in any language, by relaying
 * JSON-RPC between the agent's client and the server. {@link io.toolgate.gateway.Main} is the
 * command line ({@code toolgate-gateway.jar}); {@link io.toolgate.gateway.Gateway} runs one
 * session; {@link io.toolgate.gateway.GatewayConfig} is its configuration (flags or YAML).
 */
package io.toolgate.gateway;
