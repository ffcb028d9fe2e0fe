package io.toolgate.gateway.internal;

import io.toolgate.approvals.ApproverTokens;
import java.nio.file.Path;

/**
 * Bearer tokens from a file of {@code sha256:<hex> principal [role...]} lines ({@code #} starts a
 * comment), read by {@link ApproverTokens} (the approvals inbox reads approver tokens the same way).
 * Only the tokens' SHA-256 hashes are held; a presented token is compared with every entry in
 * constant time, so neither its content nor its position in the file shows in the time taken.
 */
public final class TokenFile implements Authenticator {
  private final ApproverTokens tokens;

  private TokenFile(ApproverTokens tokens) {
    this.tokens = tokens;
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming the line of an entry that is not {@code sha256:<64 hex> principal ...}
   */
  public static TokenFile load(Path file) {
    return new TokenFile(ApproverTokens.load(file));
  }

  /** {@code sha256:<hex>} of {@code token}: what a token file holds for it. */
  public static String hash(String token) {
    return ApproverTokens.hash(token);
  }

  @Override
  public Result authenticate(String authorization) {
    String token = Authenticator.bearer(authorization);
    if (token == null) {
      return new Result.Refused(null, "no bearer token");
    }
    return tokens.holder(token)
        .<Result>map(h -> new Result.Known(h.name(), h.roles()))
        .orElseGet(() -> new Result.Refused("invalid_token", "unknown token"));
  }
}
