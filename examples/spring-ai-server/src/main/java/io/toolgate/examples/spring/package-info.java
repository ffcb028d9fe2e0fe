/**
 * A Spring AI MCP server guarded by Toolgate with no Toolgate code: the starter on the classpath,
 * {@code toolgate.policy=classpath:policy.yaml} in its properties, and Spring Security bearer
 * tokens naming the callers the policy counts.
 */
package io.toolgate.examples.spring;
