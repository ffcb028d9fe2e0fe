/**
 * The built-in {@link io.toolgate.api.ApprovalService}s: deny until approved and a callback
 * ({@link io.toolgate.engine.approval.ApprovalServices}), and queues of requests a person
 * approves or rejects by id ({@link io.toolgate.engine.approval.ApprovalQueue}, built in: {@link
 * io.toolgate.engine.approval.InMemoryApprovalQueue}), with answers kept as {@link
 * io.toolgate.engine.approval.ApprovalAnswer}s.
 */
package io.toolgate.engine.approval;
