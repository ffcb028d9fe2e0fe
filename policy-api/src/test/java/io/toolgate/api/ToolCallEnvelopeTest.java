package io.toolgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A call's envelope is for observers: attaching one changes nothing else about the call. */
class ToolCallEnvelopeTest {

  @Test
  void aCallMadeDirectlyHasTheEmptyEnvelope() {
    CallEnvelope envelope = ToolCall.of("t").envelope();

    assertThat(envelope).isSameAs(CallEnvelope.NONE);
    assertThat(envelope.side()).isEqualTo(CallEnvelope.Side.INTERNAL);
    assertThat(envelope.method()).isNull();
    assertThat(envelope.requestId()).isNull();
    assertThat(envelope.sessionId()).isNull();
    assertThat(envelope.metadata("traceparent")).isNull();
    assertThat(envelope.metadataKeys()).isEmpty();
    envelope.putMetadata("traceparent", "ignored");
    assertThat(envelope.metadata("traceparent")).isNull();
  }

  @Test
  void withEnvelopeKeepsTheNameAndArgumentsAndLeavesTheOriginalAlone() {
    ToolCall call = ToolCall.of("t", Map.of("a", 1));
    CallEnvelope envelope = new CallEnvelope() {
      @Override
      public Side side() {
        return Side.SERVER;
      }
    };

    ToolCall carried = call.withEnvelope(envelope);

    assertThat(carried.tool()).isEqualTo("t");
    assertThat(carried.arguments()).isEqualTo(call.arguments());
    assertThat(carried.envelope()).isSameAs(envelope);
    assertThat(call.envelope()).isSameAs(CallEnvelope.NONE);
    assertThatThrownBy(() -> call.withEnvelope(null)).isInstanceOf(NullPointerException.class);
  }
}
