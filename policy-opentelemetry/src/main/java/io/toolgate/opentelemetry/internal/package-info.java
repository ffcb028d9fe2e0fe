/** The span of one call, its attribute names and the propagation carrier; private to this module. */
package io.toolgate.opentelemetry.internal;
