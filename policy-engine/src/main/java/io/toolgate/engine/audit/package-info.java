/**
 * The built-in {@link io.toolgate.api.AuditSink}s: JSON Lines ({@link
 * io.toolgate.engine.audit.JsonLinesAuditSink}), SLF4J ({@link
 * io.toolgate.engine.audit.Slf4jAuditSink}), a wrapper that records on a thread of its own ({@link
 * io.toolgate.engine.audit.AsyncAuditSink}), and the one mapping from a decision to named fields
 * that they and the MCP adapter share ({@link io.toolgate.engine.audit.DecisionFields}).
 */
package io.toolgate.engine.audit;
