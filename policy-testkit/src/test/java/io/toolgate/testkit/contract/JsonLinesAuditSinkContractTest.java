package io.toolgate.testkit.contract;

import io.toolgate.api.AuditSink;
import io.toolgate.engine.audit.JsonLinesAuditSink;
import java.io.StringWriter;
import java.util.List;

class JsonLinesAuditSinkContractTest extends AuditSinkContract {
  private final StringWriter out = new StringWriter();

  @Override
  protected AuditSink newSink() {
    return JsonLinesAuditSink.to(out);
  }

  @Override
  protected List<String> recorded(AuditSink sink) {
    return Lines.of(out.toString());
  }
}
