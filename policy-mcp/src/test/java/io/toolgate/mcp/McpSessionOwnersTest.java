package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class McpSessionOwnersTest {
  @Test
  void aSessionServesOnlyThePrincipalThatOpenedIt() {
    McpSessionOwners owners = McpSessionOwners.create();
    owners.opened("s1", "alice");

    assertThat(owners.claim("s1", "alice")).isTrue();
    assertThat(owners.claim("s1", "bob")).isFalse();
    assertThat(owners.claim("s1", null)).isFalse();
    assertThat(owners.isOwner("s1", "bob")).isFalse();
    assertThat(owners.isOwner("unknown", "alice")).isFalse();
  }

  @Test
  void anUnrecordedSessionBelongsToItsFirstCallerAndAnonymousIsAnOwnerLikeAnyOther() {
    McpSessionOwners owners = McpSessionOwners.create();

    assertThat(owners.claim("s1", "bob")).isTrue();
    assertThat(owners.claim("s1", "alice")).isFalse();
    assertThat(owners.claim("s2", null)).isTrue();
    assertThat(owners.claim("s2", null)).isTrue();
    assertThat(owners.claim("s2", "alice")).isFalse();
  }

  @Test
  void memoryIsBoundedInSessionsAndIdleSessionsAreForgotten() {
    AtomicLong nanos = new AtomicLong();
    McpSessionOwners owners =
        McpSessionOwners.builder()
            .maximumSessions(100)
            .idleTimeout(Duration.ofMinutes(10))
            .ticker(nanos::get)
            .executor(Runnable::run)
            .build();

    for (int i = 0; i < 10_000; i++) {
      owners.opened("s" + i, "p" + i);
    }
    assertThat(owners.size()).isLessThanOrEqualTo(100);

    nanos.addAndGet(TimeUnit.MINUTES.toNanos(11));
    assertThat(owners.size()).isZero();
  }

  @Test
  void aForgottenSessionIsUnknown() {
    McpSessionOwners owners = McpSessionOwners.create();
    owners.opened("s1", "alice");

    owners.forget("s1");

    assertThat(owners.isKnown("s1")).isFalse();
    assertThat(owners.size()).isZero();
  }

  @Test
  void boundsAreCheckedWhereTheyAreSet() {
    assertThatThrownBy(() -> McpSessionOwners.builder().maximumSessions(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> McpSessionOwners.builder().idleTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
