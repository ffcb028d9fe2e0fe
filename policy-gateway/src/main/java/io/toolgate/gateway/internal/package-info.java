/**
 * The gateway's relay: JSON-RPC messages read and written line by line, the policy applied to
 * {@code tools/call} and {@code tools/list}, and the two sides it joins (the agent's stdio and
 * the server's child process). Not an API: used by {@link io.toolgate.gateway.Gateway} only.
 */
package io.toolgate.gateway.internal;
