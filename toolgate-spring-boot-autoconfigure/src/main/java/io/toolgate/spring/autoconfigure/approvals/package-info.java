/**
 * The approvals inbox and webhook of {@code policy-approvals-web} in a Spring Boot application:
 * the inbox servlet when {@code toolgate.approvals.inbox.enabled=true} (approvers from Spring
 * Security, or a token file), and a signed webhook for each new request when {@code
 * toolgate.approvals.webhook.url} is set. See {@code docs/spring.md#approvals-inbox}.
 */
package io.toolgate.spring.autoconfigure.approvals;
