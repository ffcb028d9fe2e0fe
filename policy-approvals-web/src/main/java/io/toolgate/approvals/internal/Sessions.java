package io.toolgate.approvals.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** Browser sessions of logged-in approvers, each with its synchronizer (CSRF) token. */
public final class Sessions {
  /** One session: who, its CSRF token, until when, and a message to show once. */
  public record Session(String id, String approver, String csrf, Instant expiresAt, AtomicReference<String> flash) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_SESSIONS = 10_000;

  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;

  public Sessions(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  /** A new session for {@code approver}. */
  public Session open(String approver) {
    Instant now = clock.instant();
    if (byId.size() >= MAX_SESSIONS) {
      byId.values().removeIf(s -> !s.expiresAt().isAfter(now));
    }
    Session session = new Session(random(), approver, random(), now.plus(ttl), new AtomicReference<>());
    byId.put(session.id(), session);
    return session;
  }

  /** The live session {@code id}, or empty. */
  public Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Session session = byId.get(id);
    if (session == null) {
      return Optional.empty();
    }
    if (!session.expiresAt().isAfter(clock.instant())) {
      byId.remove(id);
      return Optional.empty();
    }
    return Optional.of(session);
  }

  /** Ends session {@code id}. */
  public void close(String id) {
    if (id != null) {
      byId.remove(id);
    }
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
