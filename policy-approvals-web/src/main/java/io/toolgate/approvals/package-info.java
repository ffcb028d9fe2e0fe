/**
 * An approvals inbox for any {@link io.toolgate.engine.approval.ApprovalQueue}: pages for people
 * ({@link io.toolgate.approvals.ApprovalInbox}, mounted with {@link
 * io.toolgate.approvals.ApprovalInboxHandler} or {@link io.toolgate.approvals.ApprovalInboxServlet}),
 * a JSON API under the same path, and signed webhooks ({@link io.toolgate.approvals.ApprovalWebhook}).
 */
package io.toolgate.approvals;
