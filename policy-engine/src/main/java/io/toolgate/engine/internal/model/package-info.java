/**
 * The validated policy model: immutable records of entries, conditions, limits and grants, as the
 * loader builds them from policy text.
 */
package io.toolgate.engine.internal.model;
