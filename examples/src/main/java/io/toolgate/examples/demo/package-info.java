/**
 * The README's demo: {@link io.toolgate.examples.demo.Demo} plays a runaway agent, with the MCP
 * SDK's client, against the guarded example server and checks every decision.
 */
package io.toolgate.examples.demo;
