/**
 * Counter internals: the fixed-window and sliding-log counters and their Caffeine-backed families
 * used by the in-memory store, and the wrapper that applies the engine's store timeout to any
 * store.
 */
package io.toolgate.engine.internal.store;
