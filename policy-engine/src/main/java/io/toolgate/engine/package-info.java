/**
 * The engine's public API: load a {@link io.toolgate.engine.Policy}, build a {@link
 * io.toolgate.engine.PolicyEngine} around it, and decide ({@code evaluate}, {@code explain}) or
 * guard ({@code call}, {@code guard}, {@code callAsync}) tool calls; {@link
 * io.toolgate.engine.PolicyWatcher} reloads a policy file when it changes.
 */
package io.toolgate.engine;
