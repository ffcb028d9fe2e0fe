/**
 * The engine's internals: no module outside {@code policy-engine} may use them. This package holds
 * Jackson configured once with read limits, canonical JSON for counter keys and digests, and the
 * bridge to the JSON Schema library.
 */
package io.toolgate.engine.internal;
