package io.toolgate.opentelemetry.internal;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.toolgate.api.CallEnvelope;

/** A call's envelope as the propagators' carrier: its metadata read and written by key. */
public enum EnvelopeCarrier implements TextMapGetter<CallEnvelope>, TextMapSetter<CallEnvelope> {
  INSTANCE;

  @Override
  public Iterable<String> keys(CallEnvelope envelope) {
    return envelope == null ? java.util.List.of() : envelope.metadataKeys();
  }

  @Override
  public String get(CallEnvelope envelope, String key) {
    return envelope == null ? null : envelope.metadata(key);
  }

  @Override
  public void set(CallEnvelope envelope, String key, String value) {
    if (envelope != null) {
      envelope.putMetadata(key, value);
    }
  }
}
