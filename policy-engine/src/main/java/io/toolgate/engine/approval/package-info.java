/**
 * The built-in {@link io.toolgate.api.ApprovalService}s: deny until approved and a callback
 * ({@link io.toolgate.engine.approval.ApprovalServices}), and an in-memory queue of requests a
 * person approves or rejects by id ({@link io.toolgate.engine.approval.InMemoryApprovalQueue}).
 */
package io.toolgate.engine.approval;
