package io.toolgate.testkit.contract;

import io.toolgate.api.AuditSink;
import io.toolgate.engine.audit.Slf4jAuditSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

class Slf4jAuditSinkContractTest extends AuditSinkContract {
  private final CapturingLogger logger = new CapturingLogger();

  @Override
  protected AuditSink newSink() {
    return Slf4jAuditSink.of(logger);
  }

  @Override
  protected List<String> recorded(AuditSink sink) {
    return List.copyOf(logger.messages);
  }

  /** Keeps every message, at every level. */
  private static final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    final List<String> messages = new CopyOnWriteArrayList<>();

    CapturingLogger() {
      this.name = "capture";
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String messagePattern, Object[] arguments, Throwable throwable) {
      messages.add(messagePattern);
    }
  }
}
