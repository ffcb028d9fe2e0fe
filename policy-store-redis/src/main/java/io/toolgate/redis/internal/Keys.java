package io.toolgate.redis.internal;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Redis key names. Every key is {@code <prefix>{<tag>}:...}: the one hash tag puts every key of
 * the store in one Redis Cluster slot, so any set of counters can be reserved by one script.
 *
 * <p>A counter's name and scope value come from the policy and from callers (a principal, an
 * argument), so they never appear in a key as text: the key holds the SHA-256 of both,
 * length-prefixed, so no crafted value can reach another counter's key or break out of the tag.
 */
public final class Keys {
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

  private final String base;

  /**
   * @param prefix prepended to every key; must not contain braces
   * @param hashTag the Redis Cluster hash tag shared by every key; non-empty, without braces
   */
  public Keys(String prefix, String hashTag) {
    if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException("key prefix must not contain braces, was " + prefix);
    }
    if (hashTag.isEmpty() || hashTag.indexOf('{') >= 0 || hashTag.indexOf('}') >= 0) {
      throw new IllegalArgumentException("hash tag must be non-empty and without braces, was " + hashTag);
    }
    this.base = prefix + "{" + hashTag + "}:";
  }

  /** The key of a counter's state: {@code <base>F:<windowMillis>:<digest>} (S for sliding). */
  public String state(CounterRequest request) {
    return base
        + (request.algorithm() == Algorithm.FIXED ? "F:" : "S:")
        + request.windowMillis()
        + ':'
        + digest(request.counter(), request.scope());
  }

  /** The key of a sliding counter's log (a sorted set by time), beside its state. */
  public String log(String stateKey) {
    return stateKey + ":entries";
  }

  /** The key of a sliding counter's index of its entries by cost, beside its state. */
  public String costIndex(String stateKey) {
    return stateKey + ":costs";
  }

  /**
   * The key that marks one reservation: what it took and when, while a client that timed out
   * might still give it back; then that it was given back.
   */
  public String reservationToken(String token) {
    return base + "reservation:" + token;
  }

  /** The key that marks one refund as applied. */
  public String refundToken(String token) {
    return base + "refund:" + token;
  }

  private static String digest(String counter, String scope) {
    byte[] c = LosslessUtf8.bytes(counter);
    byte[] s = LosslessUtf8.bytes(scope); // a lone surrogate is not '?': distinct values, distinct keys
    ByteBuffer buffer = ByteBuffer.allocate(8 + c.length + s.length);
    buffer.putInt(c.length).put(c).putInt(s.length).put(s);
    return BASE64.encodeToString(sha256().digest(buffer.array()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
