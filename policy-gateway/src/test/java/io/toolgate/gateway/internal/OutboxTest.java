package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A child that stops reading holds a bounded number of characters of its session's messages. */
class OutboxTest {
  @Test
  void boundedByCharactersAsWellAsLines() throws Exception {
    Outbox outbox = new Outbox(100, 10);
    assertThat(outbox.offer("12345")).isTrue();
    assertThat(outbox.offer("123456")).as("over the character budget").isFalse();
    assertThat(outbox.offer("12345")).isTrue();
    assertThat(outbox.chars()).isEqualTo(10);
    assertThat(outbox.take()).isEqualTo("12345");
    assertThat(outbox.offer("1234")).isTrue();
    assertThat(outbox.chars()).isEqualTo(9);
  }

  @Test
  void oneLineLongerThanTheBudgetPassesAloneSoNoAcceptedMessageIsStuck() throws Exception {
    Outbox outbox = new Outbox(100, 10);
    String large = "x".repeat(50);
    assertThat(outbox.offer(large)).isTrue();
    assertThat(outbox.offer("y")).isFalse();
    assertThat(outbox.take()).isEqualTo(large);
    assertThat(outbox.offer("y")).isTrue();
  }

  @Test
  void boundedByLines() {
    Outbox outbox = new Outbox(2, 1_000);
    assertThat(outbox.offer("a")).isTrue();
    assertThat(outbox.offer("b")).isTrue();
    assertThat(outbox.offer("c")).isFalse();
    assertThat(outbox.chars()).isEqualTo(2);
  }

  @Test
  void stopComesAfterWhatWasQueuedOrAtOnceWhenFull() throws Exception {
    Outbox roomy = new Outbox(3, 1_000);
    roomy.offer("a");
    roomy.stop();
    assertThat(roomy.take()).isEqualTo("a");
    assertThat(roomy.take()).isNull();

    Outbox full = new Outbox(1, 1_000);
    full.offer("a");
    full.stop();
    assertThat(full.take()).isNull();
    assertThat(full.chars()).isZero();
  }
}
