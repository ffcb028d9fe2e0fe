/**
 * The built-in {@link io.toolgate.api.CounterStore}: counters in this JVM's memory ({@link
 * io.toolgate.engine.store.InMemoryCounterStore}). The Redis store lives in {@code
 * policy-store-redis}.
 */
package io.toolgate.engine.store;
