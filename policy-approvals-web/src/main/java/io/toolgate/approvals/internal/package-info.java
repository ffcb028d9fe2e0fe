/** The inbox's own rendering, escaping and sessions; not an API. */
package io.toolgate.approvals.internal;
