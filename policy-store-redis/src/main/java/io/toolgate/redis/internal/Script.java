package io.toolgate.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A Lua script and the SHA-1 digest Redis knows it by. */
public record Script(String name, String body, String sha) {

  /** The script {@code io/toolgate/redis/<name>} from this module's resources. */
  public static Script load(String name) {
    String resource = "/io/toolgate/redis/" + name;
    try (InputStream in = Script.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      byte[] sha = MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8));
      return new Script(name, body, HexFormat.of().formatHex(sha));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }
}
