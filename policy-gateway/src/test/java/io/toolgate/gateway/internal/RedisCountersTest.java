package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisCountersTest {
  @Test
  void aPasswordInTheUriIsNeverShown() {
    assertThat(RedisCounters.redacted("redis://user:s3cret@redis.internal:6379/0"))
        .doesNotContain("s3cret").contains("redis.internal:6379");
    assertThat(RedisCounters.redacted("redis://:s3cret@h:1")).doesNotContain("s3cret");
    assertThat(RedisCounters.redacted("redis://h:1")).isEqualTo("redis://h:1");
    assertThat(RedisCounters.redacted("redis://s3cret@h:1 with spaces")).doesNotContain("s3cret");
  }

  @Test
  void aUriThatIsNotRedisOrCannotBeReachedIsAnIllegalArgumentWithoutItsPassword() {
    assertThatThrownBy(() -> RedisCounters.connect("http://user:s3cret@h:1", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> RedisCounters.connect("redis://user:s3cret@127.0.0.1:1", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot use Redis")
        .hasMessageNotContaining("s3cret");
  }
}
