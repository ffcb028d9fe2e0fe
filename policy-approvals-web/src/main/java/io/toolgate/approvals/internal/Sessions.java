package io.toolgate.approvals.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Browser sessions of logged-in approvers, each with its synchronizer (CSRF) token. */
public final class Sessions {
  /** One session: who, its CSRF token, until when, and a message to show once. */
  public record Session(String id, String approver, String csrf, Instant expiresAt, AtomicReference<String> flash) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  /** How many sessions are kept unless configured. */
  public static final int DEFAULT_MAX_SESSIONS = 10_000;

  /**
   * Guarded by itself. In access order: when full, the session used least recently goes, so a
   * flood of new sessions (one per cookie-less GET of a host-authenticated user) cannot grow the
   * map, and pushes out idle sessions before the ones in use.
   */
  private final LinkedHashMap<String, Session> byId;
  private final int maxSessions;
  private final Clock clock;
  private final Duration ttl;

  public Sessions(Clock clock, Duration ttl) {
    this(clock, ttl, DEFAULT_MAX_SESSIONS);
  }

  /** Sessions that keep at most {@code maxSessions} at once. */
  public Sessions(Clock clock, Duration ttl, int maxSessions) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1, not " + maxSessions);
    }
    this.maxSessions = maxSessions;
    this.clock = clock;
    this.ttl = ttl;
    this.byId = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
        return size() > maxSessions;
      }
    };
  }

  /** A new session for {@code approver}; when full, expired sessions go first, then the least recently used. */
  public Session open(String approver) {
    Instant now = clock.instant();
    Session session = new Session(random(), approver, random(), now.plus(ttl), new AtomicReference<>());
    synchronized (byId) {
      if (byId.size() >= maxSessions) {
        byId.values().removeIf(s -> !s.expiresAt().isAfter(now));
      }
      byId.put(session.id(), session);
    }
    return session;
  }

  /** How many sessions are held now. */
  public int size() {
    synchronized (byId) {
      return byId.size();
    }
  }

  /** The live session {@code id}, or empty. */
  public Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    synchronized (byId) {
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
  }

  /** Ends session {@code id}. */
  public void close(String id) {
    if (id != null) {
      synchronized (byId) {
        byId.remove(id);
      }
    }
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
