package io.toolgate.gateway.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Bearer tokens from a file of {@code sha256:<hex> principal [role...]} lines ({@code #} starts a
 * comment). Only the tokens' SHA-256 hashes are held; a presented token is hashed and compared
 * with every entry in constant time ({@link MessageDigest#isEqual}), so neither its content nor
 * its position in the file shows in the time taken.
 */
public final class TokenFile implements Authenticator {
  private record Entry(byte[] hash, String principal, Set<String> roles) {}

  private final List<Entry> entries;

  private TokenFile(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming the line of an entry that is not {@code sha256:<64 hex> principal ...}
   */
  public static TokenFile load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read token file " + file + ": " + e.getMessage(), e);
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      byte[] hash = null;
      if (fields[0].startsWith("sha256:") && fields[0].length() == 7 + 64) {
        try {
          hash = HexFormat.of().parseHex(fields[0].substring(7));
        } catch (IllegalArgumentException notHex) {
          hash = null;
        }
      }
      if (hash == null || fields.length < 2) {
        throw new IllegalArgumentException(file + " line " + (i + 1)
            + ": expected sha256:<64 hex digits> principal [role...]");
      }
      entries.add(new Entry(hash, fields[1], Set.of(java.util.Arrays.copyOfRange(fields, 2, fields.length))));
    }
    return new TokenFile(entries);
  }

  /** {@code sha256:<hex>} of {@code token}: what a token file holds for it. */
  public static String hash(String token) {
    return "sha256:" + HexFormat.of().formatHex(sha256(token));
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public Result authenticate(String authorization) {
    String token = Authenticator.bearer(authorization);
    if (token == null) {
      return new Result.Refused(null, "no bearer token");
    }
    byte[] presented = sha256(token);
    Entry found = null;
    for (Entry entry : entries) { // every entry, whatever matches: the time does not say where
      if (MessageDigest.isEqual(entry.hash, presented) && found == null) {
        found = entry;
      }
    }
    return found == null
        ? new Result.Refused("invalid_token", "unknown token")
        : new Result.Known(found.principal, found.roles);
  }
}
