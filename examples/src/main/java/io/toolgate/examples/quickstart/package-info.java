/**
 * The README's quick start in plain Java: {@link io.toolgate.examples.quickstart.QuickStart} wraps
 * a tool invoker in one {@link io.toolgate.engine.PolicyEngine} call, with {@code policy.yaml}
 * beside it.
 */
package io.toolgate.examples.quickstart;
