package io.toolgate.examples.mcpserver;

import io.toolgate.api.CallContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Bearer tokens and who they name. One line per token: {@code <token> <principal> [role,role]};
 * blank lines and lines starting with {@code #} are ignored.
 *
 * <p>Only the SHA-256 of each token is kept, and a presented token is checked against every one
 * with {@link MessageDigest#isEqual} (time independent of where the bytes differ), never by a map
 * lookup whose timing depends on the token's text.
 */
public final class TokenFile {
  private final List<Entry> entries;
  private final boolean shipped;

  /** One token's hash and who it names. */
  private record Entry(byte[] hash, CallContext identity) {}

  private TokenFile(List<Entry> entries, boolean shipped) {
    this.entries = List.copyOf(entries);
    this.shipped = shipped;
  }

  /** Reads {@code file}. */
  public static TokenFile load(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read token file " + file + " (" + why(e) + ")", e);
    }
  }

  private static String why(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** The token file shipped with the example. */
  public static TokenFile shipped() {
    return shipped("tokens.txt");
  }

  /** The approvers' token file shipped with the example: {@code demo-approver-token} for {@code risk-officer}. */
  public static TokenFile shippedApprovers() {
    return shipped("approvers.txt");
  }

  private static TokenFile shipped(String resource) {
    try (var in = TokenFile.class.getResourceAsStream(resource)) {
      TokenFile parsed = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
      return new TokenFile(parsed.entries, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the shipped token file", e);
    }
  }

  /**
   * Parses token lines.
   *
   * @throws IllegalArgumentException naming the line, for a line without a principal or a token
   *     given twice
   */
  public static TokenFile parse(String text, String source) {
    List<Entry> entries = new ArrayList<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length < 2 || fields.length > 3) {
        throw new IllegalArgumentException(
            source + ":" + (i + 1) + ": expected <token> <principal> [role,role,...]");
      }
      CallContext identity = CallContext.of(fields[1]);
      if (fields.length == 3) {
        identity = identity.withRoles(Arrays.stream(fields[2].split(",")).filter(r -> !r.isEmpty()).toArray(String[]::new));
      }
      byte[] hash = sha256(fields[0]);
      if (entries.stream().anyMatch(e -> MessageDigest.isEqual(e.hash(), hash))) {
        throw new IllegalArgumentException(source + ":" + (i + 1) + ": token given twice");
      }
      entries.add(new Entry(hash, identity));
    }
    return new TokenFile(entries, false);
  }

  /** Who {@code token} names, if anyone. Every entry is compared, whichever matches. */
  public Optional<CallContext> identify(String token) {
    if (token == null) {
      return Optional.empty();
    }
    byte[] hash = sha256(token);
    CallContext found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.hash(), hash)) {
        found = entry.identity();
      }
    }
    return Optional.ofNullable(found);
  }

  /** How many tokens are accepted. */
  public int size() {
    return entries.size();
  }

  /** Whether these are the demo tokens shipped with the example, which everyone can read. */
  public boolean isShipped() {
    return shipped;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "TokenFile[" + entries.size() + " tokens" + (shipped ? ", the shipped demo tokens" : "") + "]";
  }
}
