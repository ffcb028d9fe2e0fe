/**
 * Actuator support: the {@code toolgate} endpoint (the policy in force, reload, pending approvals
 * with approve and reject) and the {@code toolgate} health indicator (policy loaded, store
 * reachable). See {@code docs/spring.md#actuator}.
 */
package io.toolgate.spring.autoconfigure.actuator;
