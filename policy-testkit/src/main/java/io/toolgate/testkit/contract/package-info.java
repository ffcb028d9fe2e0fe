/**
 * JUnit 5 contract suites that every implementation of a Toolgate SPI must pass: extend {@link
 * io.toolgate.testkit.contract.CounterStoreContract}, {@link
 * io.toolgate.testkit.contract.AuditSinkContract} or one of the approval contracts ({@link
 * io.toolgate.testkit.contract.ApprovalServiceContract}, {@link
 * io.toolgate.testkit.contract.ApprovingServiceContract}, {@link
 * io.toolgate.testkit.contract.ApprovalQueueContract}) with a factory for your implementation, and
 * it is checked against the cases the built-in implementations pass.
 */
package io.toolgate.testkit.contract;
