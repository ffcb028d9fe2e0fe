/** How the engine calls {@link io.toolgate.api.CallObserver}s: guarded, composed, and around the store. */
package io.toolgate.engine.internal.observe;
