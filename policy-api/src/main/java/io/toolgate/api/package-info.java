/**
 * The Toolgate types that callers and extensions touch: a {@link io.toolgate.api.ToolCall} and
 * its {@link io.toolgate.api.CallContext} go in, a {@link io.toolgate.api.Decision} comes out.
 * The SPIs {@link io.toolgate.api.CounterStore}, {@link io.toolgate.api.ApprovalService} and
 * {@link io.toolgate.api.AuditSink} let counts, approvals and audit live where the user wants.
 */
package io.toolgate.api;
