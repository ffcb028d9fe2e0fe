/**
 * What the audit sinks compute alike (the arguments and their digest, redaction of secret-looking
 * keys) and the guard that keeps a failing sink from changing a decision. Not an API.
 */
package io.toolgate.engine.internal.audit;
