package io.toolgate.testkit.contract;

import io.toolgate.api.AuditSink;
import io.toolgate.engine.audit.AsyncAuditSink;
import io.toolgate.engine.audit.JsonLinesAuditSink;
import java.io.StringWriter;
import java.util.List;

/** A JSON Lines sink behind an {@link AsyncAuditSink}: the wrapper keeps the contract. */
class AsyncAuditSinkContractTest extends AuditSinkContract {
  private final StringWriter out = new StringWriter();

  @Override
  protected AuditSink newSink() {
    return AsyncAuditSink.wrap(JsonLinesAuditSink.to(out)).onOverflow(AsyncAuditSink.Overflow.BLOCK).build();
  }

  @Override
  protected List<String> recorded(AuditSink sink) {
    ((AsyncAuditSink) sink).close(); // records every accepted event first
    return Lines.of(out.toString());
  }
}
