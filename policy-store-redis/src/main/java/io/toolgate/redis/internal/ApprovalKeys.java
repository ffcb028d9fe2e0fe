package io.toolgate.redis.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Key parts of the Redis approval queue, hashed so that no crafted value reaches another key. */
public final class ApprovalKeys {
  private ApprovalKeys() {}

  /** A principal as a key part: calls without one share the part "-", no principal's "+name". */
  public static String who(String principal) {
    return principal == null ? "-" : "+" + principal;
  }

  /** The hex SHA-256 of the parts, each length-prefixed, so no crafted value reaches another key. */
  public static String identity(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        byte[] bytes = LosslessUtf8.bytes(part);
        sha.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
        sha.update(bytes);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
