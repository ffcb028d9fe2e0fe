/**
 * The README's demo: {@link io.toolgate.examples.demo.Demo} plays a runaway agent, with the MCP
 * SDK's client, against the guarded example server and checks every decision; its going-live call
 * waits while a scripted approver answers in the approvals inbox, or, with {@code
 * --approve-in-browser}, while a person does.
 */
package io.toolgate.examples.demo;
