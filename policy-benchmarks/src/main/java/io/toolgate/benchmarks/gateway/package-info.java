/**
 * The gateway benchmark: the MCP SDK's client calling a trivial tool of an SDK server directly
 * and through the Toolgate gateway, over streamable HTTP and over stdio.
 */
package io.toolgate.benchmarks.gateway;
