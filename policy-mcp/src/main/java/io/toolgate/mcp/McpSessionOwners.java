package io.toolgate.mcp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Which principal opened each MCP session, so that a session, and the counters kept per session,
 * serve only the principal that opened it.
 *
 * <p>{@link McpSessionFilter} records the principal of each HTTP {@code initialize} that opens a
 * session and refuses requests naming a session that is unknown or another principal's; {@link
 * McpToolGuard} refuses a {@code tools/call} made in another principal's session. Share one
 * instance between the two:
 *
 * <pre>{@code
 * McpSessionOwners owners = McpSessionOwners.create();
 * McpToolGuard guard = McpToolGuard.builder(engine).sessionOwners(owners).build();
 * HttpFilter filter = McpSessionFilter.of(owners, extractor);   // in front of the MCP servlet
 * }</pre>
 *
 * <p>A session nobody recorded (a guard without the filter, e.g. on stdio) belongs to the first
 * principal that calls a tool in it. A principal of {@code null} (anonymous) is an owner like any
 * other: an anonymous session serves only anonymous callers.
 *
 * <p>Memory is bounded: at most {@link Builder#maximumSessions} sessions are remembered (default
 * {@value #DEFAULT_MAXIMUM_SESSIONS}), and one unused for {@link Builder#idleTimeout} (default 2
 * hours, longer than the MCP SDK keeps an idle session) is forgotten; a session deleted through
 * the filter is forgotten at once. A forgotten session is unknown to the filter, which answers
 * 404 so the client opens a new one. Thread-safe.
 */
public final class McpSessionOwners {
  /** How many sessions are remembered by default. */
  public static final long DEFAULT_MAXIMUM_SESSIONS = 100_000;

  /** How long an unused session is remembered by default. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(2);

  private final Cache<String, Owner> owners;

  /** The principal that opened a session; {@code principal} is {@code null} for anonymous. */
  private record Owner(String principal) {}

  private McpSessionOwners(Builder b) {
    Caffeine<Object, Object> caffeine =
        Caffeine.newBuilder().maximumSize(b.maximumSessions).expireAfterAccess(b.idleTimeout);
    if (b.ticker != null) {
      caffeine.ticker(b.ticker);
    }
    if (b.executor != null) {
      caffeine.executor(b.executor);
    }
    this.owners = caffeine.build();
  }

  /** Owners with the default bounds. */
  public static McpSessionOwners create() {
    return builder().build();
  }

  /** A builder for owners with other bounds. */
  public static Builder builder() {
    return new Builder();
  }

  /** Records {@code principal} as the one that opened {@code sessionId}, replacing any record. */
  public void opened(String sessionId, String principal) {
    owners.put(Objects.requireNonNull(sessionId, "sessionId"), new Owner(principal));
  }

  /** Whether {@code sessionId} is remembered, whoever opened it. */
  public boolean isKnown(String sessionId) {
    return sessionId != null && owners.getIfPresent(sessionId) != null;
  }

  /** Whether {@code principal} opened {@code sessionId}; {@code false} for an unknown session. */
  public boolean isOwner(String sessionId, String principal) {
    Owner owner = sessionId == null ? null : owners.getIfPresent(sessionId);
    return owner != null && Objects.equals(owner.principal(), principal);
  }

  /** Whose {@code sessionId} is, from {@code principal}'s point of view: one lookup. */
  Verdict verdict(String sessionId, String principal) {
    Owner owner = sessionId == null ? null : owners.getIfPresent(sessionId);
    if (owner == null) {
      return Verdict.UNKNOWN;
    }
    return Objects.equals(owner.principal(), principal) ? Verdict.OWNER : Verdict.OTHER;
  }

  /** What {@link #verdict} finds. */
  enum Verdict {
    UNKNOWN,
    OWNER,
    OTHER
  }

  /**
   * Whether {@code principal} may use {@code sessionId}: it opened it, or nobody is recorded for
   * it and {@code principal} now is.
   */
  public boolean claim(String sessionId, String principal) {
    Objects.requireNonNull(sessionId, "sessionId");
    Owner candidate = new Owner(principal);
    Owner recorded = owners.asMap().putIfAbsent(sessionId, candidate);
    return recorded == null || recorded.equals(candidate);
  }

  /** Forgets {@code sessionId}: it was deleted or has ended. */
  public void forget(String sessionId) {
    if (sessionId != null) {
      owners.invalidate(sessionId);
    }
  }

  /** How many sessions are remembered now (after pending evictions). */
  public long size() {
    owners.cleanUp();
    return owners.estimatedSize();
  }

  @Override
  public String toString() {
    return "McpSessionOwners[" + owners.estimatedSize() + " sessions]";
  }

  /** Bounds of a {@link McpSessionOwners}. */
  public static final class Builder {
    private long maximumSessions = DEFAULT_MAXIMUM_SESSIONS;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Ticker ticker;
    private Executor executor;

    private Builder() {}

    /**
     * How many sessions are remembered at most (default {@value #DEFAULT_MAXIMUM_SESSIONS}); past
     * it, the least recently used are forgotten.
     *
     * @throws IllegalArgumentException if {@code maximumSessions} is less than 1
     */
    public Builder maximumSessions(long maximumSessions) {
      if (maximumSessions < 1) {
        throw new IllegalArgumentException("maximumSessions must be at least 1, was " + maximumSessions);
      }
      this.maximumSessions = maximumSessions;
      return this;
    }

    /**
     * How long a session nobody uses is remembered (default 2 hours).
     *
     * @throws IllegalArgumentException if {@code idleTimeout} is not positive
     */
    public Builder idleTimeout(Duration idleTimeout) {
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /** For tests: the time source of the idle timeout. */
    Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** For tests: where evictions run (Caffeine's default is the common pool). */
    Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    public McpSessionOwners build() {
      return new McpSessionOwners(this);
    }
  }
}
